"""The engagement platform's rows in the access policy (merged by `gateway.access.policy`).

Residents act on the platform for themselves only; staff read. A wish's author, a topic's
proposer, an activity's organiser are shown by nickname; their bound phone to a resident only
masked, a neighbour's phone being no resident's business. Votes are secret: the schema has counts
and nothing else. Deliberation records (who said what) are for community admins, the district
and civil affairs.
"""

from __future__ import annotations

from gateway.access.kinds import Kind
from gateway.access.views import D, M, SystemRows, W, _row

STAFF_AND_SELF = _row(W, W, W, W, D, W, D)
RECORDS = _row(D, D, W, W, D, W, D)
RESIDENT_ONLY = _row(W, D, D, D, D, D, D)

ROWS = SystemRows(
    personal_fields={
        "PlatformUser.nickname": Kind.NAME,
        "PlatformUser.phone": Kind.PHONE,
    },
    field_rows={
        #                          resident grid community district urban civil legal
        "PlatformUser.phone": _row(M, W, M, M, D, W, D),
    },
    not_masked={
        "PlatformUser.team": "the volunteer team, a group of dozens",
        "Reward.name": "the name of a prize",
    },
    free_text={
        "MicroWish.content": "posted by its author on the grid's public wish board; who is apart",
        "DeliberationTopic.title": "a proposal's title, public to the grid",
        "DeliberationTopic.content": "a proposal put to the deliberation hall, public to the grid",
        "TopicComment.content": "said in the deliberation hall, on its record; who is apart",
        "VolunteerActivity.title": "an activity as its organiser announced it",
        "VolunteerActivity.place": "where an activity is held, as its organiser wrote it",
        "VolunteerSignUp.title": "the activity signed up for, as its organiser announced it",
        "MicroProject.title": "a funded public project, titled from its proposal",
    },
    relations={
        #                                      resident grid community district urban civil legal
        "Resident.volunteering": STAFF_AND_SELF,
        "VolunteerActivity.organiser": STAFF_AND_SELF,
        "MicroWish.author": STAFF_AND_SELF,
        "MicroWish.claimer": STAFF_AND_SELF,
        "Grid.wishes": STAFF_AND_SELF,
        "DeliberationTopic.proposer": STAFF_AND_SELF,
        "DeliberationTopic.comments": RECORDS,
        "TopicComment.author": RECORDS,
        "PlatformUser.registryMatch": _row(D, W, W, W, D, W, D),
        **{
            f"Mutation.{name}": RESIDENT_ONLY
            for name in (
                "signUpForActivity",
                "checkIn",
                "postWish",
                "claimWish",
                "fulfilWish",
                "proposeTopic",
                "voteOnTopic",
                "exchangePoints",
            )
        },
    },
    not_personal_arguments={
        "Mutation.checkIn.input.volunteerId": "an opaque platform ID the volunteer shows the organiser; the platform checks it against the sign-up",
        "Mutation.postWish.input.content": "the wish's text, posted on the grid's public board",
        "Mutation.proposeTopic.input.title": "a proposal's title, public to the grid",
        "Mutation.proposeTopic.input.content": "a proposal, public to the grid",
    },
)
