"""Behaviour of the matching engine: text bridging, signals, reasons, incremental index."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import pytest

from lianjian.matching.engine import (
    DATA_DIR,
    MARKER_RULES,
    MatchEngine,
    NeedDoc,
    ResourceDoc,
    get_lexicon,
    parse_thesaurus,
)

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2025, 6, 1)


def R(rid: str, title: str, description: str = "", unit: str = "某单位", **kw) -> ResourceDoc:
    return ResourceDoc(id=rid, title=title, description=description, unit=unit, **kw)


def N(title: str, description: str = "", nid: str = "N1", **kw) -> NeedDoc:
    return NeedDoc(id=nid, title=title, description=description, **kw)


def ids(matches) -> list[str]:
    return [m.resource_id for m in matches]


@pytest.fixture(scope="module")
def engine() -> MatchEngine:
    eng = MatchEngine(today=TODAY)
    eng.add_many(
        [
            R("jobs", "就业岗位招聘会", "提供物业、仓储、超市理货等岗位80个，现场面试。", "人社所"),
            R("venue", "活动室场地出租", "社区活动室按小时出租，可办生日会、干活累了来喝茶。", "物业公司"),
            R("teeth", "儿童龋齿防治", "为学龄儿童免费做窝沟封闭和涂氟。", "口腔门诊"),
            R("toothpaste", "牙膏牙刷特价", "超市牙膏牙刷买一送一，孩子大人都适用。", "超市"),
            R("wiring", "老旧小区线路改造", "免费检测入户线路，解决线路老化、负荷不足。", "供电公司"),
            R("aircon", "空调清洗优惠", "夏季空调清洗上门服务，清洗后制冷更快。", "家电行"),
            R("ebike", "电动自行车充电桩", "在小区安装电动自行车充电桩，充满自动断电。", "新能源公司"),
            R("car", "电动汽车快充站", "商场停车场建设电动汽车快充桩，扫码即充。", "充电公司"),
            R("grab", "适老化改造", "为高龄老人家庭安装扶手、防滑地垫。", "慈善基金会"),
            R("cleaning", "卫生间保洁服务", "为写字楼卫生间提供日常保洁、消毒。", "保洁公司"),
        ]
    )
    return eng


# ---------------------------------------------------------------- text and thesaurus


@pytest.mark.parametrize(
    ("need", "best", "distractor"),
    [
        (N("厂子关门了想找活干", "没活干在家待着，想找点活"), "jobs", "venue"),
        (N("孩子满嘴蛀牙", "娃娃吃糖多，牙上有黑洞"), "teeth", "toothpaste"),
        (N("一开空调就跳闸", "家里电线是老早以前拉的"), "wiring", "aircon"),
        (N("电瓶车没地方充电", "只能拉电线下楼充"), "ebike", "car"),
        (N("我妈在卫生间摔了一跤", "地上滑，没地方扶"), "grab", "cleaning"),
    ],
)
def test_colloquial_need_ranks_formal_resource_above_surface_distractor(engine, need, best, distractor):
    """The thesaurus bridges resident wording to unit wording, and beats a resource that
    merely shares surface words with the need."""
    ranked = ids(engine.rank(need, top_k=10))
    assert ranked[0] == best
    assert ranked.index(best) < ranked.index(distractor) if distractor in ranked else True


def test_bridge_is_explained_in_reasons(engine):
    """A thesaurus bridge shows both wordings, so staff can check it."""
    top = engine.rank(N("孩子牙上有黑洞"), top_k=1)[0]
    assert top.resource_id == "teeth"
    text = " ".join(top.reasons)
    assert "相近说法" in text
    assert "黑洞" in text


def test_scores_are_bounded_and_sorted(engine):
    matches = engine.rank(N("老人摔倒了需要扶手"), top_k=10)
    scores = [m.score for m in matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(m.reasons for m in matches)


def test_top_k_is_respected(engine):
    assert len(engine.rank(N("充电"), top_k=3)) == 3
    assert len(engine.rank(N("充电"), top_k=50)) == len(engine)
    assert engine.rank(N("充电"), top_k=0) == []


def test_rank_many_matches_rank(engine):
    needs = [N("找工作", nid="a"), N("电瓶车充电", nid="b"), N("蛀牙", nid="c")]
    batch = engine.rank_many(needs, top_k=3)
    assert list(batch) == ["a", "b", "c"]
    for need in needs:
        assert ids(batch[need.id]) == ids(engine.rank(need, top_k=3))


def test_need_with_no_usable_text_still_returns_results(engine):
    matches = engine.rank(N("？？？", "!!!"), top_k=2)
    assert len(matches) == 2
    assert all(m.score == 0.0 for m in matches)


# ---------------------------------------------------------------- markers


def test_insiders_only_resource_is_demoted_with_reason():
    """A resource that serves only the unit's own staff must not beat a public one."""
    eng = MatchEngine(today=TODAY)
    eng.add_many(
        [
            R("inside", "员工岗位技能培训", "面向本行在职员工的技能培训，仅限本行员工参加。", "某银行"),
            R("public", "职业技能培训", "面向辖区失业人员的免费技能培训。", "职业学校"),
        ]
    )
    matches = eng.rank(N("下岗了想学门技能", "想参加技能培训再就业"), top_k=2)
    assert ids(matches) == ["public", "inside"]
    assert any("内部" in r for r in matches[1].reasons)


def test_sales_promotion_is_demoted_with_reason():
    eng = MatchEngine(today=TODAY)
    eng.add_many(
        [
            R("promo", "养老理财产品推介会", "介绍养老理财产品，现场开户送小礼品。", "某银行"),
            R("care", "居家养老上门服务", "为高龄老人提供助餐、助洁服务。", "养老中心"),
        ]
    )
    matches = eng.rank(N("养老问题", "家里老人养老没人照顾"), top_k=2)
    assert matches[0].resource_id == "care"
    assert any("商业推广" in r for r in matches[1].reasons)


def test_thesaurus_file_is_well_formed():
    """Every concept has terms; broader concepts exist; marker classes are known."""
    concepts, broader = parse_thesaurus((DATA_DIR / "thesaurus.txt").read_text(encoding="utf-8"))
    assert len(concepts) > 100
    for name, terms in concepts.items():
        assert terms, name
        if name.startswith("@"):
            assert name in MARKER_RULES
    for name, parents in broader.items():
        for parent in parents:
            assert parent in concepts, f"{name} < {parent}: unknown broader concept"


def test_domain_words_stay_whole():
    words = set(get_lexicon().tokenizer.lcut("骑手在小哥驿站休息，随手拍上报隐患，新就业群体联建", HMM=False))
    assert {"小哥驿站", "随手拍", "新就业群体", "联建"} <= words


# ---------------------------------------------------------------- structured signals


def _pair(**extra_b) -> MatchEngine:
    eng = MatchEngine(today=TODAY)
    text = {"title": "老年人助餐服务", "description": "为老人提供午餐。"}
    eng.add(R("a", **text))
    eng.add(R("b", **text, **extra_b))
    return eng


def test_same_category_ranks_higher_with_reason():
    eng = _pair(category="养老服务")
    matches = eng.rank(N("老人吃饭难", category="养老服务"), top_k=2)
    assert matches[0].resource_id == "b"
    assert "类别相同：养老服务" in matches[0].reasons


def test_different_category_ranks_lower():
    eng = _pair(category="文体活动")
    assert eng.rank(N("老人吃饭难", category="养老服务"), top_k=2)[0].resource_id == "a"


def test_full_capacity_ranks_lower_and_remaining_is_reported():
    eng = MatchEngine(today=TODAY)
    eng.add(R("full", "老年人助餐服务", "为老人提供午餐。", remaining=0))
    eng.add(R("open", "老年人助餐服务", "为老人提供午餐。", remaining=12, capacity_unit="人"))
    matches = eng.rank(N("老人吃饭难"), top_k=2)
    assert ids(matches) == ["open", "full"]
    assert "剩余名额 12 人" in matches[0].reasons
    assert "名额已满" in matches[1].reasons


def test_expired_resource_ranks_lower_with_reason():
    eng = MatchEngine(today=TODAY)
    eng.add(R("old", "老年人助餐服务", "为老人提供午餐。", valid_until="2024-12-31"))
    eng.add(R("new", "老年人助餐服务", "为老人提供午餐。", valid_until=date(2025, 12, 31)))
    matches = eng.rank(N("老人吃饭难"), top_k=2)
    assert ids(matches) == ["new", "old"]
    assert any(r.startswith("已过有效期") for r in matches[1].reasons)
    assert any("有效期内" in r for r in matches[0].reasons)


def test_service_area_unit_record_and_distance_reasons():
    eng = MatchEngine(today=TODAY)
    eng.add(R("far", "老年人助餐服务", "为老人提供午餐。", region_ids=("other",)))
    eng.add(
        R(
            "near",
            "老年人助餐服务",
            "为老人提供午餐。",
            region_ids=("fengshu",),
            unit_completed_in_category=3,
            unit_avg_rating=4.6,
            lat=30.0,
            lng=120.0,
        )
    )
    need = N("老人吃饭难", region_id="fengshu", region_name="枫树社区", lat=30.01, lng=120.0)
    matches = eng.rank(need, top_k=2)
    assert ids(matches) == ["near", "far"]
    reasons = matches[0].reasons
    assert "服务范围覆盖枫树社区" in reasons
    assert "该单位已完成同类项目 3 个，平均评分 4.6" in reasons
    assert any(r.startswith("距离约 1.1 公里") for r in reasons)
    assert "服务范围不含枫树社区" in matches[1].reasons


def test_beneficiary_overlap_is_a_signal():
    eng = _pair(beneficiaries=("老年人",))
    matches = eng.rank(N("老人吃饭难", beneficiaries=("老年人", "残疾人")), top_k=2)
    assert matches[0].resource_id == "b"
    assert "服务对象相符：老年人" in matches[0].reasons


# ---------------------------------------------------------------- incremental index


def test_add_replace_remove_update_rankings_incrementally():
    eng = MatchEngine(today=TODAY)
    eng.add(R("x", "社区招聘会", "提供岗位"))
    eng.add(R("y", "老年助餐", "为老人提供午餐"))
    assert eng.rank(N("想找工作"), top_k=1)[0].resource_id == "x"

    # Replace y so that it now is the better job resource.
    eng.add(R("y", "就业岗位招聘会", "提供保安保洁岗位，现场面试，欢迎找工作的居民"))
    assert len(eng) == 2
    assert eng.rank(N("想找工作", "保安保洁都能干"), top_k=1)[0].resource_id == "y"
    assert eng.rank(N("老人吃饭难"), top_k=2)[0].score < 0.5

    assert eng.remove("y") is True
    assert eng.remove("y") is False
    assert "y" not in eng
    assert ids(eng.rank(N("想找工作"), top_k=5)) == ["x"]


def test_many_replacements_compact_and_match_a_fresh_build():
    docs = [R(f"r{i}", f"第{i}号 " + ("社区招聘会" if i % 2 else "老年助餐"), "提供服务") for i in range(300)]
    eng = MatchEngine(today=TODAY)
    eng.add_many(docs)
    for _ in range(3):
        for doc in docs:
            eng.add(doc)  # replace with identical content
    fresh = MatchEngine(today=TODAY)
    fresh.add_many(docs)
    need = N("想找工作", "社区招聘")
    assert len(eng) == 300
    got, expected = eng.rank(need, 10), fresh.rank(need, 10)
    # Many resources tie; which of the tied ones come first is arbitrary.
    assert [m.score for m in got] == [m.score for m in expected]
    assert all(int(m.resource_id[1:]) % 2 == 1 for m in got)


def test_empty_engine_returns_nothing():
    assert MatchEngine().rank(N("找工作"), top_k=5) == []


def test_very_long_texts_are_handled_quickly():
    """A 100,000-character description must neither blow up time nor break ranking."""
    long_text = ("小区老人需要助餐服务，" + "这是一段很长的说明文字。" * 10) * 800
    assert len(long_text) >= 100_000
    eng = MatchEngine(today=TODAY)
    start = time.perf_counter()
    eng.add(R("long", "老年助餐", long_text))
    eng.add(R("jobs", "招聘会", "提供岗位"))
    matches = eng.rank(N("老人吃饭难", long_text), top_k=2)
    assert time.perf_counter() - start < 3.0
    assert matches[0].resource_id == "long"


# ---------------------------------------------------------------- self-written hold-out


def _read(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("prefix", ["holdout", "blind"])
def test_quality_on_self_written_holdout(prefix):
    """Needs and resources written apart from the dev set, in different words (the
    "blind" set was written before the engine was ever run on it); the engine must
    rank a gold resource first for nearly all of them."""
    eng = MatchEngine(today=TODAY)
    resources = _read(f"{prefix}_resources.csv")
    eng.add_many(R(r["id"], r["title"], r["description"], r["unit"]) for r in resources)
    needs = [N(r["title"], r["description"], nid=r["id"]) for r in _read(f"{prefix}_needs.csv")]
    gold: dict[str, set[str]] = {}
    for row in _read(f"{prefix}_gold.csv"):
        gold.setdefault(row["need_id"], set()).add(row["resource_id"])
    ranked = eng.rank_many(needs, top_k=5)
    p_at_1 = sum(ids(ranked[n.id])[0] in gold[n.id] for n in needs) / len(needs)
    hit_at_5 = sum(bool(gold[n.id] & set(ids(ranked[n.id]))) for n in needs) / len(needs)
    assert p_at_1 >= 0.8
    assert hit_at_5 >= 0.9


def test_parallel_build_and_batch_give_the_same_results_as_serial():
    """Forked workers (used by the CLI and the benchmark) must not change any ranking."""
    docs = [R(r["id"], r["title"], r["description"], r["unit"]) for r in _read("blind_resources.csv")]
    needs = [N(r["title"], r["description"], nid=r["id"]) for r in _read("blind_needs.csv")]
    serial = MatchEngine(today=TODAY)
    serial.add_many(docs)
    parallel = MatchEngine(today=TODAY)
    parallel.add_many(docs, workers=2)
    expected = serial.rank_many(needs, top_k=5)
    assert parallel.rank_many(needs, top_k=5, workers=2) == expected
    assert serial.rank_many(needs, top_k=5, workers=2) == expected


# ---------------------------------------------------------------- who and where are not evidence

from lianjian.matching.engine import CONFIDENCE_LINE  # noqa: E402

# Region names as the product passes them from its database (district, street, community).
REGIONS = ("青禾区", "石桥街道", "柳岸社区")


def _engine_from(prefix: str, **kw) -> tuple[MatchEngine, list[NeedDoc], dict[str, set[str]]]:
    eng = MatchEngine(today=TODAY, **kw)
    eng.add_many(R(r["id"], r["title"], r["description"], r["unit"]) for r in _read(f"{prefix}_resources.csv"))
    needs = [N(r["title"], r["description"], nid=r["id"]) for r in _read(f"{prefix}_needs.csv")]
    gold: dict[str, set[str]] = {}
    for row in _read(f"{prefix}_gold.csv"):
        gold.setdefault(row["need_id"], set()).add(row["resource_id"])
    return eng, needs, gold


# The second set ("nofit2") was written after the engine's rules and run once, unchanged:
# it showed one real miss (two sibling topics sharing only 就医, helped by 儿童), fixed as a
# class (who-words do not support weak evidence), and one need first thought to fit nothing
# (烧烤油烟) for which the engine's mediation suggestion (油烟扰民 is a neighbour dispute) is right.
NOFIT_SETS = {"nofit": REGIONS, "nofit2": ("东湖区", "桂花街道", "望江社区")}


@pytest.mark.parametrize("with_regions", [False, True], ids=["rules-only", "with-region-names"])
@pytest.mark.parametrize("prefix", sorted(NOFIT_SETS))
def test_needs_without_a_fitting_resource_get_nothing_above_the_line(prefix, with_regions):
    """A held-out style set: some needs have a fitting resource, others have none among
    distractors that share their street, community and beneficiary words (老年人, 孩子,
    骑手). Nothing may pass the confidence line for the latter; the former still find
    their resource first, above the line."""
    eng, needs, gold = _engine_from(prefix, places=NOFIT_SETS[prefix] if with_regions else ())
    ranked = eng.rank_many(needs, top_k=5)
    without = [n for n in needs if n.id not in gold]
    assert len(without) >= 5 and len(gold) >= 5
    for need in without:
        shown = [(m.resource_id, m.score, m.reasons) for m in ranked[need.id] if not m.weak]
        assert shown == [], need.title
    for need in needs:
        if need.id in gold:
            top = ranked[need.id][0]
            assert top.resource_id in gold[need.id] and not top.weak, need.title
            assert top.confidence == top.score >= CONFIDENCE_LINE


def test_shared_street_and_community_names_are_no_evidence():
    """The issue's case: a bus-stop seats need and a rider station share only the road
    name; a community name shared with a unit's name is no evidence either."""
    eng = MatchEngine(today=TODAY, places=["锦江区", "成龙路街道", "枫树社区"])
    eng.add_many([
        R("station", "骑手驿站共建", "提供驿站场地运营支持和骑手志愿者。", "美团外卖成龙路站"),
        R("lunch", "爱心午餐", "联盟餐馆每日提供 20 份爱心午餐。", "枫树社区商家联盟"),
    ])
    need = N("公交站台增设座椅", "成龙路枫树站两个站台没有座椅，成龙大道沿线候车很辛苦。")
    for match in eng.rank(need, top_k=2):
        assert match.score == 0.0 and match.weak
        assert "字面相近" not in " ".join(match.reasons)


def test_place_names_are_found_without_a_region_list():
    """Roads, streets and districts are recognised by their form too (the CLI has no
    database): the same need and resource share nothing else."""
    eng = MatchEngine(today=TODAY)
    eng.add(R("repair", "家电义务维修", "每月在滨河大道石桥路口摆摊，为青禾区居民修家电。", "滨河大道商家联盟"))
    need = N("石桥路口积水", "滨河大道石桥路口一下雨就积水，青禾区好多人反映。")
    match = eng.rank(need, top_k=1)[0]
    assert match.score == 0.0 and match.weak


def test_beneficiary_word_alone_is_not_evidence():
    """Sharing 老年人 with a health screening does not make it a match for a bench at a
    bus stop; the reason says why the resource is listed at all."""
    eng = MatchEngine(today=TODAY)
    eng.add_many([
        R("screening", "重点人群免费健康筛查", "为老年人和困难家庭提供慢病免费筛查。", "社区卫生服务中心"),
        R("benches", "站台座椅安装", "为公交站台安装候车座椅和遮阳棚。", "公交公司"),
    ])
    seats = N("公交站台增设座椅", "候车的老年人多，站台没有座椅，老年人站着等车很累。")
    ranked = eng.rank(seats, top_k=2)
    assert ranked[0].resource_id == "benches" and not ranked[0].weak
    screening = ranked[1]
    assert screening.resource_id == "screening" and screening.score == 0.0 and screening.weak
    assert screening.reasons[0] == "仅服务对象相同：老年人"


def test_beneficiary_groups_given_to_the_engine_are_context():
    """The deployment's beneficiary group names are who-words too."""
    need = N("重点人群需要心理疏导", "辖区困难职工家庭里不少人情绪低落")
    res = R("jobs", "困难职工家庭就业帮扶", "为困难职工家庭推荐岗位。")
    plain = MatchEngine(today=TODAY)
    plain.add(res)
    told = MatchEngine(today=TODAY, who_words=["困难职工家庭"])
    told.add(res)
    assert told.rank(need, top_k=1)[0].score < plain.rank(need, top_k=1)[0].score
    assert told.rank(need, top_k=1)[0].weak


def test_who_words_still_order_resources_that_match_the_topic():
    """Context is not thrown away: between two resources on the topic, the one for the
    same people comes first."""
    eng = MatchEngine(today=TODAY)
    eng.add_many([
        R("kids", "儿童免费体检", "为学龄儿童提供免费健康体检。"),
        R("elderly", "老年人免费体检", "为老年人提供免费健康体检。"),
    ])
    assert ids(eng.rank(N("老人想做个体检", "老年人好多年没体检了"), top_k=2)) == ["elderly", "kids"]
    assert ids(eng.rank(N("孩子想做个体检", "孩子好多年没体检了"), top_k=2)) == ["kids", "elderly"]


def test_region_name_does_not_swallow_a_longer_thesaurus_term():
    """A community called 幸福社区 makes 幸福 a place, but not inside 幸福食堂 (助餐)."""
    eng = MatchEngine(today=TODAY, places=["幸福社区"])
    eng.add_many([R("canteen", "幸福食堂", "为老人提供午餐。"), R("other", "幸福社区读书会", "每月读书分享。")])
    top = eng.rank(N("老人吃饭难", "想找个助餐点"), top_k=1)[0]
    assert top.resource_id == "canteen" and not top.weak


def test_weak_literal_evidence_stays_below_the_line():
    """Sharing only a two-character string (no word, no concept) is not enough to suggest."""
    eng = MatchEngine(today=TODAY)
    eng.add(R("screening", "慢病筛查", "行动不便者可上门服务。"))
    match = eng.rank(N("公交站缺座椅", "候车不便，站着等车很累。"), top_k=1)[0]
    assert match.weak


def test_parallel_build_keeps_the_region_names():
    """Forked workers analyse with the engine's region names."""
    docs = [R(r["id"], r["title"], r["description"], r["unit"]) for r in _read("nofit_resources.csv")]
    needs = [N(r["title"], r["description"], nid=r["id"]) for r in _read("nofit_needs.csv")]
    serial = MatchEngine(today=TODAY, places=REGIONS)
    serial.add_many(docs)
    parallel = MatchEngine(today=TODAY, places=REGIONS)
    parallel.add_many(docs, workers=2)
    assert parallel.rank_many(needs, top_k=5, workers=2) == serial.rank_many(needs, top_k=5)
