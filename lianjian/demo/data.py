"""The demo world, re-telling the three stories of the seed newspaper page (华西社区报, 2025-01).

Only facts are typed in here (names, places, who is a joint unit); every figure the product
reports (12 units, 37 projects …) is derived from rows that the loader creates.
"""

from __future__ import annotations

DEMO_PASSWORD = "lianjian2025"  # printed by `make run`; demo only

# (code, name, kind, parent code)
REGIONS: list[tuple[str, str, str, str | None]] = [
    ("510100", "成都市", "city", None),
    ("510104", "锦江区", "district", "510100"),
    ("510104023", "成龙路街道", "street", "510104"),
    ("510104023001", "枫树社区", "community", "510104023"),
    ("510104023002", "锦城逸景社区", "community", "510104023"),
    ("510104023003", "柳江社区", "community", "510104023"),
    ("510115", "温江区", "district", "510100"),
    ("510115005", "涌泉街道", "street", "510115"),
    ("510115005002", "江浦路社区", "community", "510115005"),
    ("510115005003", "光华社区", "community", "510115005"),
    ("510182", "彭州市", "county_city", "510100"),
    ("510182001", "濠阳街道", "street", "510182"),
    ("510182001001", "南大街社区", "community", "510182001"),
    ("510182001002", "北君平社区", "community", "510182001"),
    ("510182001003", "天府蔬香社区", "community", "510182001"),
]

FENGSHU = "510104023001"
JIANGPULU = "510115005002"

# 枫树社区's 20 joint units: (name, kind, party organisation, liaison real name)
FENGSHU_UNITS: list[tuple[str, str, str, str]] = [
    ("成龙路锦城逸景社区卫生服务中心", "medical", "锦城逸景社区卫生服务中心党支部", "王医生"),
    ("东星公司", "private", "东星公司党支部", "陈东"),
    ("成都市现代职业技术学校", "school", "成都市现代职业技术学校党委", "刘老师"),
    ("中国电信锦江分公司", "state_owned", "中国电信锦江分公司党委", "赵敏"),
    ("国网成都供电公司锦江供电中心", "state_owned", "锦江供电中心党支部", "孙电"),
    ("成都公交集团锦江分公司", "state_owned", "成都公交锦江分公司党委", "周宏"),
    ("锦江区疾病预防控制中心", "institution", "锦江区疾控中心党支部", "吴静"),
    ("成龙路派出所", "government", "成龙路派出所党支部", "郑警官"),
    ("锦江区成龙路小学", "school", "成龙路小学党支部", "冯老师"),
    ("锦江区枫树幼儿园", "school", "枫树幼儿园党支部", "何园长"),
    ("锦江区东湖中学", "school", "东湖中学党总支", "许老师"),
    ("“山上·文明里”新时代文明实践公园", "institution", "文明实践公园党支部", "高健"),
    ("锦江区心连心社会工作服务中心", "social", "心连心社工中心党支部", "林社工"),
    ("成都银行成龙路支行", "state_owned", "成都银行成龙路支行党支部", "马行长"),
    ("中国邮政锦江分公司成龙路营业所", "state_owned", "成龙路营业所党支部", "邓所长"),
    ("顺丰速运成龙路营业部", "express", "", "罗站长"),
    ("美团外卖成龙路站", "delivery", "", "韩站长"),
    ("枫树社区商家联盟", "merchant", "", "唐老板"),
    ("锦城逸景物业服务中心", "private", "锦城逸景物业党支部", "曹经理"),
    ("锦江区人力资源服务中心", "institution", "锦江区人力资源服务中心党支部", "彭主任"),
]

# 江浦路社区's partners in the New-Year dinner story.
JIANGPULU_UNITS: list[tuple[str, str, str, str]] = [
    ("西熙里商家联盟", "merchant", "", "夏老板"),
    ("银海湾顺丰快递站点", "express", "", "顾站长"),
]

# Demo log-ins, one per role: (username, real name, phone, role, scope code or unit name)
USERS: list[tuple[str, str, str, str, str]] = [
    ("district_admin", "锦江区管理员", "13800000001", "region_admin", "510104"),
    ("street_admin", "成龙路街道管理员", "13800000002", "region_admin", "510104023"),
    ("staff", "枫树社区工作人员", "13800000003", "community_staff", FENGSHU),
    ("jiangpu_staff", "李凤", "13800000004", "community_staff", JIANGPULU),
    ("liaison", "赵敏", "13800000005", "liaison", "中国电信锦江分公司"),
    ("resident", "张阿姨", "13800000006", "resident", FENGSHU),
    ("rider", "快递小哥小王", "13800000007", "rider", FENGSHU),
    ("volunteer", "志愿者小刘", "13800000008", "volunteer", FENGSHU),
]
