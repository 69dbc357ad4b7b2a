"""Word pools and code tables the synthetic population is drawn from.

The names are synthetic: common surnames and given-name characters, combined at random. The
event classes follow GB/T 30428.2 (digital urban management: event and component classes).
"""

from __future__ import annotations

from typing import NamedTuple

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN_CHARS_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
GIVEN_CHARS_FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽"

PLACE_WORDS = (
    "梅园",
    "翠竹",
    "桃源",
    "银杏",
    "紫荆",
    "春晖",
    "明月",
    "清风",
    "海棠",
    "丹桂",
    "云盘",
    "金湖",
    "锦绣",
    "安居",
    "乐业",
    "和平",
    "幸福",
    "新桥",
    "龙泉",
    "凤鸣",
    "双井",
    "南湖",
    "北苑",
    "东升",
    "西城",
    "百合",
    "玉兰",
    "青莲",
    "长乐",
    "永宁",
    "康宁",
    "望江",
    "临河",
    "枫林",
    "书香",
    "阳光",
    "花园",
    "湖滨",
    "雨荷",
    "晨曦",
    "兴隆",
    "泰和",
    "怡景",
    "芳草",
    "松涛",
    "石榴",
    "柳巷",
    "荷塘",
)
ROAD_SUFFIXES = ("路", "街", "大道", "巷")
COUNTY_CODE = "320213"
COUNTY_NAME = "江南区"
CITY_NAME = "示范市"
PROVINCE_NAME = "江苏省"
# Birth-registration address codes for people who came from elsewhere (mobile population).
OTHER_ADDRESS_CODES = ("341202", "360102", "370102", "410105", "420106", "510104", "320830")
OTHER_PROVINCE_NAMES = ("安徽省", "江西省", "山东省", "河南省", "湖北省", "四川省", "江苏省")


class PersonType(NamedTuple):
    code: str
    label: str


PERSON_TYPES = {
    "PARTY": PersonType("01", "中共党员"),
    "VETERAN": PersonType("02", "退役军人"),
    "DISABLED": PersonType("03", "残疾人"),
    "ALONE": PersonType("04", "独居老人"),
    "DIBAO": PersonType("05", "低保"),
    "DIBAO_EDGE": PersonType("06", "低保边缘"),
    "NEW_EMPLOYMENT": PersonType("07", "新就业群体"),
    "MOBILE": PersonType("08", "流动人口"),
    "EMPTY_NEST": PersonType("09", "空巢老人"),
}


class EventClass(NamedTuple):
    main_code: str
    main_name: str
    sub_code: str
    sub_name: str
    limit_hours: int
    weight: int
    department: str
    urgent: bool
    description: str


# Time limits are working-day promises turned into hours; urgent events are dispatched within
# minutes and the street-lamp promise ("replaced within 8 hours") holds for 路灯损坏.
EVENT_CLASSES = (
    EventClass(
        "01", "市容环境", "0101", "私搭乱建", 240, 6, "BM01", False, "有人私搭乱建，占用公共空间"
    ),
    EventClass("01", "市容环境", "0102", "暴露垃圾", 96, 14, "BM09", False, "垃圾堆放未及时清运"),
    EventClass("01", "市容环境", "0103", "积存渣土", 120, 4, "BM09", False, "渣土堆积，影响环境"),
    EventClass("01", "市容环境", "0104", "道路不洁", 72, 6, "BM09", False, "路面脏污，需要清扫"),
    EventClass(
        "02", "宣传广告", "0201", "非法小广告", 120, 7, "BM01", False, "楼道和电线杆张贴小广告"
    ),
    EventClass(
        "02", "宣传广告", "0202", "违规户外广告", 240, 2, "BM01", False, "户外广告牌未经审批设置"
    ),
    EventClass("03", "施工管理", "0301", "施工扰民", 120, 4, "BM02", False, "夜间施工噪音扰民"),
    EventClass("03", "施工管理", "0302", "工地扬尘", 120, 3, "BM02", False, "工地未覆盖，扬尘严重"),
    EventClass("03", "施工管理", "0303", "施工废弃料", 144, 2, "BM02", False, "施工废弃料随意堆放"),
    EventClass("04", "街面秩序", "0401", "无照经营", 240, 4, "BM03", False, "有商户无照经营"),
    EventClass("04", "街面秩序", "0402", "占道经营", 96, 10, "BM01", False, "流动摊贩占道经营"),
    EventClass("04", "街面秩序", "0403", "黑车拉客", 168, 2, "BM04", False, "有黑车在路口拉客"),
    EventClass(
        "04", "街面秩序", "0404", "违规停车", 72, 12, "BM04", False, "车辆违规停放，堵塞通道"
    ),
    EventClass("05", "突发事件", "0501", "管道破裂", 24, 3, "BM06", True, "供水管道破裂漏水"),
    EventClass("05", "突发事件", "0502", "路面塌陷", 48, 1, "BM07", True, "路面出现塌陷"),
    EventClass("05", "突发事件", "0503", "道路积水", 24, 2, "BM06", True, "道路积水严重"),
    EventClass("05", "突发事件", "0504", "火灾", 8, 1, "BM05", True, "发现火情隐患"),
    EventClass("11", "公用设施", "1101", "路灯损坏", 8, 6, "BM07", False, "路灯不亮"),
    EventClass("11", "公用设施", "1102", "井盖破损", 24, 3, "BM07", True, "井盖破损缺失"),
    EventClass("11", "公用设施", "1103", "充电设施故障", 120, 3, "BM08", False, "电动车充电桩故障"),
    EventClass("12", "交通设施", "1201", "僵尸车", 240, 3, "BM04", False, "长期停放的废弃车辆"),
    EventClass("12", "交通设施", "1202", "交通标志损坏", 120, 1, "BM04", False, "交通标志牌损坏"),
    EventClass("13", "园林绿化设施", "1301", "绿地损坏", 168, 3, "BM10", False, "绿化带被踩踏毁坏"),
    EventClass("13", "园林绿化设施", "1302", "树木倒伏", 24, 1, "BM10", True, "树木倒伏影响通行"),
)
EVENT_CLASS_BY_SUB = {event.sub_code: event for event in EVENT_CLASSES}

DEPARTMENTS = (
    ("BM01", "区城市管理局", "城管"),
    ("BM02", "区住房和城乡建设局", "住建"),
    ("BM03", "区市场监督管理局", "市场监管"),
    ("BM04", "公安分局交警大队", "公安"),
    ("BM05", "区消防救援大队", "消防"),
    ("BM06", "区水务集团", "水务"),
    ("BM07", "区市政设施管理处", "市政"),
    ("BM08", "供电公司城区供电所", "供电"),
    ("BM09", "区环境卫生管理所", "环卫"),
    ("BM10", "区园林绿化管理所", "园林"),
)

CASE_SOURCES = (
    ("监督员上报", 35),
    ("12345热线", 25),
    ("公众举报/小程序", 25),
    ("视频", 10),
    ("上级交办", 5),
)
CASE_STATUSES = ("待受理", "受理", "立案", "派遣", "处置", "核查", "结案", "作废")
SATISFACTION = ("满意", "基本满意", "不满意")

SERVICE_KINDS = (
    ("ZC", "助餐", "社区老年食堂，6元一餐", "60周岁以上本社区居民", "6元/餐"),
    ("RJ", "日间照料", "老年人日间照料、康复和文娱活动", "60周岁以上本社区居民", "免费"),
    ("TY", "托育", "3岁以下婴幼儿普惠托育", "本社区3岁以下婴幼儿", "1200元/月"),
    ("SD", "四点半课堂", "放学后作业辅导和兴趣活动", "本社区小学生", "免费"),
    ("YZ", "义诊", "社区医生和志愿者义诊、健康体检", "本社区居民", "免费"),
    ("FL", "法律咨询", "律师驻点法律咨询", "本社区居民", "免费"),
    ("ZY", "志愿服务", "志愿者上门探访、代办", "独居、空巢和残疾居民", "免费"),
    ("XL", "心理疏导", "心理咨询师驻点疏导", "本社区居民", "免费"),
)
ORGANISATION_KINDS = (
    ("社会组织", "社工服务中心"),
    ("志愿服务队", "志愿服务队"),
    ("物业企业", "物业管理有限公司"),
    ("业主委员会", "业主委员会"),
    ("议事会", "居民议事会"),
)

AID_TYPES = ("刑事辩护", "民事代理", "行政代理", "非诉讼代理", "劳动争议仲裁代理")
LEGAL_CASE_TYPES = (("刑事", 15), ("民事", 75), ("行政", 10))
LEGAL_STATUSES = ("待审核", "审核通过", "不予援助", "已指派", "已结案", "已归档")
DISPUTE_TYPES = (
    ("邻里纠纷", 30),
    ("婚姻家庭", 20),
    ("物业纠纷", 18),
    ("劳动争议", 10),
    ("损害赔偿", 8),
    ("房屋宅基地", 6),
    ("消费纠纷", 8),
)
DISPUTE_DESCRIPTIONS = {
    "邻里纠纷": "楼上楼下因漏水、噪音发生矛盾",
    "婚姻家庭": "家庭成员因赡养老人问题发生争执",
    "物业纠纷": "业主与物业公司因物业费和服务质量发生纠纷",
    "劳动争议": "外卖骑手与配送站因工资结算发生争议",
    "损害赔偿": "电动车剐蹭引发赔偿纠纷",
    "房屋宅基地": "加装电梯引发低层住户反对",
    "消费纠纷": "预付卡商家关门引发退款纠纷",
}
