"""Descriptions in Chinese first, then English: the frontend developers here read Chinese."""


def bilingual(chinese: str, english: str) -> str:
    return f"{chinese} / {english}"
