"""The seed's three stories (华西社区报, January 2025), published and linked to what the demo
holds: 枫树社区's summary meeting (and some of its 2024 projects), 江浦路社区's New-Year dinner and
濠阳街道's fun run. Idempotent: a story already there (by title and region) is left alone.

The meeting, the events and the projects are looked up through Django's app registry by the
demo's titles (this app imports none of those apps); links go through the link registry.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from lianjian.accounts.permissions import SYSTEM
from lianjian.demo import data
from lianjian.regions.models import Region

from . import services
from .models import Story, StoryKind, StoryStatus

HAOYANG = "510182001"
MEETING_TITLE = "枫树社区2024年区域化党建联建工作总结会"
DINNER = "小哥，停一停回家吃年夜饭了"
RUN = "彭派蔬香·跃动濠阳 全民乐跑庆新春"
FENGSHU_PROJECTS = ["社区微循环公交开通", "老年人流感疫苗接种", "“山上·文明里”周末文明实践课堂", "独居老人每周探访"]

FENGSHU_BODY = (
    '1月10日上午，成都市锦江区成龙路街道枫树社区联合各联建单位，在“山上·文明里”新时代文明实践公园召'
    '开枫树社区2024年区域化党建联建工作总结会，回顾过去一年各党建联建的相关工作，进一步提升区域化党建'
    '工作成效。20家党建联建单位的相关代表参加了本次会议。\n'
    '\n'
    '会议开始前，“山上·文明里”新时代文明实践公园的相关负责人带领与会代表参观了阵地。该阵地定期举办丰富'
    '多彩的文化活动、公益活动，吸引市民群众积极参与，让大家在活动中接受新时代文明实践的熏陶。\n'
    '\n'
    '## 12家单位完成37个联建项目\n'
    '\n'
    '会上，枫树社区党委主要负责人对2024年区域化党建联建的成果进行了总结，并通报了去年联建项目的完成情'
    '况。过去一年，在各方党组织的齐心协力之下，枫树社区与成龙路锦城逸景社区卫生服务中心、东星公司、成都市'
    '现代职业技术学校等12家联建单位，共完成了37个联建项目。\n'
    '\n'
    '- 文明实践进社区，助老敬老暖人心\n'
    '- 公交线网优化，便捷居民出行\n'
    '- 辖区重点人群传染病筛查\n'
    '- 特殊人群关爱帮扶\n'
    '\n'
    '## 新需求在会上“对上了号”\n'
    '\n'
    '随后，各联建单位代表围绕区域化党建工作讲目标、谈感想，讲共建点、谈落实点，对2025年区域化党建联建'
    '项目进行了探讨。中国电信锦江分公司相关负责人提出了企业岗位招聘的需求，这与枫树社区将要开展的失业人员'
    '再就业工作不谋而合。辖区多家学校希望有联建单位提供非物质文化遗产进校园的宣讲体验活动，这个提议在会议'
    '期间被国家电网等多家单位认领。\n'
    '\n'
    '> “此次活动不仅加强了各联建单位之间的沟通交流，也为2025年的区域化党建工作指明了方向。社区将继'
    '续深化区域化党建工作，全力打造融合共建、开放共享、联动共赢的区域化党建服务链，为居民提供更加优质、高'
    '效的服务。”枫树社区相关负责人表示。'
)

DINNER_BODY = (
    '春节临近，快递小哥等新就业群体迎来一年中最忙碌的时候。1月9日，成都市温江区涌泉街道江浦路社区举办“'
    '小哥，停一停回家吃年夜饭了”年夜饭活动，让辖区新就业群体感受“家”的温度，品尝“家”的味道。\n'
    '\n'
    '活动当天，社区工作人员、党员志愿者、居民骨干和西熙里商家联盟的爱心商家早早来到现场，从备菜、做菜、音'
    '响设置到场景搭建，共同营造了充满年味的活动会场。上午11:40，随着最后一个快递小哥到达落座，活动正'
    '式开始。江浦路社区党委书记李凤感谢新就业群体一年来的辛勤劳动。\n'
    '\n'
    '## 34道家常菜加8道商家特色菜\n'
    '\n'
    '夏叔叔的粉蒸牛肉、林阿姨的鸡爪炖土豆、刁嬢嬢的红烧肉、张阿姨的羊肉汤等34道菜让人眼花缭乱，再加上烂'
    '蹄花儿、汉平大抄手、强记螺蛳粉、隆江猪脚饭、老农村、嘎嘎鸭脑壳、王炒匠、邹徐社醪糟店8家西熙里商家联'
    '盟爱心商家赞助的特色菜肴，共同汇聚成了这一顿温馨的“年夜饭”。\n'
    '\n'
    '> “我跑过这么多社区，在江浦路社区，我感受到了温暖。我愿意为江浦路社区治理发展贡献自己的一份力量。'
    '”一位在银海湾顺丰快递站点工作的小哥说。\n'
    '\n'
    '## 15名小哥受表扬\n'
    '\n'
    '活动最后，江浦路社区对小区各快递站点、外卖配送站点的15名新业态新就业人员进行表扬，并分发暖心大礼包'
    '，同时告知大家，社区小哥驿站已全新升级，将提供更温馨、更贴心的服务。新的一年，江浦路社区将推动新就业'
    '群体积极参与社区治理，形成社区服务和新就业群体良性反馈的“双向奔赴”。'
)

RUN_BODY = (
    '华西社区报讯（记者 李玥林）1月10日，“彭派蔬香·跃动濠阳”全民乐跑庆新春活动在彭州市濠阳街道天府'
    '蔬香博览园举行。彭州当地跑者、濠阳街道村（社区）居民、企业职工、机关工作人员一同开启迎新春“新年跑”'
    '。\n'
    '\n'
    '当天上午8:30，距离乐跑开始还有半小时，天府蔬香博览园已经人头攒动。鸣枪起跑，大家一路你追我赶，展'
    '现向着幸福美好生活一路奔跑的精气神。此次乐跑全程约4.5公里，途中设医疗保障点，安保警力、应急志愿者'
    '等全程护航，确保活动有序进行。\n'
    '\n'
    '> “我喜欢以这种方式拥抱新的一年，希望今年全马个人最佳成绩能进入3.5小时。”参赛者罗杰文说。'
)


def _picture(index: int, caption: str) -> SimpleUploadedFile:
    """A generated illustration (no downloaded photos): sky, ground and a row of figures."""
    from PIL import Image, ImageDraw

    palettes = [((254, 240, 199), (200, 16, 46)), ((236, 253, 243), (181, 71, 8)), ((232, 240, 254), (6, 118, 71))]
    sky, accent = palettes[index % len(palettes)]
    image = Image.new("RGB", (1200, 800), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1200, 800), fill=(228, 231, 236))
    draw.rectangle((0, 0, 1200, 90), fill=accent)
    for i in range(9):
        x = 90 + i * 120
        draw.ellipse((x, 330, x + 60, 390), fill=accent)
        draw.rectangle((x + 10, 390, x + 50, 520), fill=accent)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    upload = SimpleUploadedFile(f"story-{index + 1}.jpg", buf.getvalue(), content_type="image/jpeg")
    upload.caption = caption  # type: ignore[attr-defined]
    return upload


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _publish(region: Region, *, title: str, subtitle: str, kind: str, body: str, day: dt.date, place: str,
             reporter: str, credit: str, links: list[tuple[str, int]], captions: list[str]) -> None:
    if Story.objects.filter(region=region, title=title).exists():
        return
    photos = [_picture(i, c) for i, c in enumerate(captions)]
    story = services.story_create(actor=SYSTEM, region=region, title=title, subtitle=subtitle, kind=kind, body=body,
                                  happened_on=day, place=place, reporter=reporter, photo_credit=credit, links=links,
                                  photos=photos, captions=captions)
    story = services.story_submit(actor=SYSTEM, story=story)
    story = services.story_publish(actor=SYSTEM, story=story, note="")
    assert story.status == StoryStatus.PUBLISHED


def load() -> None:
    fengshu = Region.objects.filter(code=data.FENGSHU).first()
    jiangpu = Region.objects.filter(code=data.JIANGPULU).first()
    haoyang = Region.objects.filter(code=HAOYANG).first()
    meeting_model, event_model, project_model = (_model("meetings.Meeting"), _model("events.Event"),
                                                 _model("projects.Project"))
    if fengshu is not None and meeting_model is not None:
        meeting = meeting_model.objects.filter(community=fengshu, title=MEETING_TITLE).first()
        links = [("meeting", meeting.pk)] if meeting else []
        if project_model is not None:
            links += [("project", pk) for pk in project_model.objects.filter(
                community=fengshu, title__in=FENGSHU_PROJECTS, status="completed").values_list("pk", flat=True)]
        _publish(fengshu, title="总结经验 打造区域化党建服务链",
                 subtitle="锦江区枫树社区召开2024年区域化党建联建工作总结会", kind=StoryKind.REPORT, body=FENGSHU_BODY,
                 day=dt.date(2025, 1, 10), place="“山上·文明里”新时代文明实践公园", reporter="华西社区报记者 高昊焜",
                 credit="受访者供图", links=links, captions=["区域化党建联建工作总结会会场。"])
    if jiangpu is not None and event_model is not None:
        dinner = event_model.objects.filter(region=jiangpu, title=DINNER).first()
        _publish(jiangpu, title="社区请“快递小哥”提前吃“年夜饭”", subtitle="34道家常菜加8道商家特色菜，15名小哥受表扬",
                 kind=StoryKind.REPORT, body=DINNER_BODY, day=dt.date(2025, 1, 9), place="江浦路社区",
                 reporter="华西社区报记者 李玥林", credit="江浦路社区供图",
                 links=[("event", dinner.pk)] if dinner else [],
                 captions=["温馨的“年夜饭”让新就业群体感受到社区的关怀。", "快递小哥品尝“家”的味道。"])
    if haoyang is not None and event_model is not None:
        run = event_model.objects.filter(region=haoyang, title=RUN).first()
        _publish(haoyang, title="全民乐跑庆新春", subtitle="", kind=StoryKind.BRIEF, body=RUN_BODY,
                 day=dt.date(2025, 1, 10), place="天府蔬香博览园", reporter="华西社区报记者 李玥林", credit="",
                 links=[("event", run.pk)] if run else [], captions=[])
