"""The metric extractor (extract/metrics.py, mentions.py, subjects.py, indicators.py): what counts
as a metric, its value, unit, kind, qualifier, change, subject, place and indicator."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.extract.metrics import Context, MetricsComponent, find_metrics
from cnpolicy.extract.pipeline import build_nlp
from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.indicators import load_taxonomy
from cnpolicy.records import Metric, Region, Section


def region(name: str) -> Region:
    found = load_gazetteer().lookup(name)
    assert found is not None, name
    return found


def metrics_in(
    text: str, *, place: str | None = None, sections: tuple[Section, ...] = ()
) -> list[Metric]:
    context = Context(region=region(place) if place else None, sections=sections)
    found = find_metrics(text, context=context)
    for metric in found:
        assert text[metric.start : metric.end] == metric.text
    return found


def only(text: str, **kwargs: object) -> Metric:
    found = metrics_in(text, **kwargs)  # type: ignore[arg-type]
    assert len(found) == 1, [m.text for m in found]
    return found[0]


# --- numbers, units, qualifiers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit", "kind", "approx"),
    [
        ("市级设党政机构49个", 49, "个", "count", None),
        ("下划900多名编制", 900, "名", "count", "more_than"),
        ("召开专题会议10余次", 10, "次", "count", "more_than"),
        ("编制精简率14.8%", 14.8, "%", "percent", None),
        ("精简比例近六成", 60, "%", "percent", "nearly"),
        ("七成以上的单位完成改革", 70, "%", "percent", "more_than"),
        ("超过70%的事项网上可办", 70, "%", "percent", "more_than"),
        ("精简比例百分之十五", 15, "%", "percent", None),
        ("满意率提高3.6个百分点", 3.6, "个百分点", "percent", None),
        ("节约财政资金3.6亿元", 360_000_000, "元", "amount", None),
        ("调配干部1.2万名", 12000, "名", "count", None),
        ("新增绿地2.3万平方米", 23000, "平方米", "amount", None),
        ("回归行政职能两千二百七十项", 2270, "项", "count", None),
        ("设置科室不超过20个", 20, "个", "count", "at_most"),
        ("参会人员约80人", 80, "人", "count", "about"),
        ("抽调人员50人左右", 50, "人", "count", "about"),
        ("每个部门所属单位3个以内", 3, "个", "count", "at_most"),
        ("配备执法人员不少于5名", 5, "名", "count", "more_than"),
        ("将近三成的编制", 30, "%", "percent", "nearly"),
        ("共有2270行政职能回归机关", 2270, "项", "count", None),
    ],
)
def test_values_units_and_qualifiers(
    text: str, value: float, unit: str, kind: str, approx: str | None
) -> None:
    metric = only(text)
    assert (metric.value, metric.unit, metric.kind, metric.approx) == (value, unit, kind, approx)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("统一设置2-3个事业单位", 2, 3), ("每个乡镇设2至3个办公室", 2, 3), ("抽调两三个部门", 2, 3),
     ("整合三四十个单位", 30, 40)],
)  # fmt: skip
def test_ranges(text: str, low: int, high: int) -> None:
    metric = only(text)
    assert (metric.value, metric.value_max) == (low, high)


@pytest.mark.parametrize(
    ("text", "before", "after", "unit"),
    [
        ("市级机构从61个减到49个", 61, 49, "个"),
        ("内设机构由37个整合为21个", 37, 21, "个"),
        ("管理面积从30平方公里扩容至226平方公里", 30, 226, "平方公里"),
        ("办理时间由12个工作日压缩至3.5个工作日", 12, 3.5, "个工作日"),
        ("事业单位由原来的1034个精简为616个", 1034, 616, "个"),
        ("将全市原有的39个开发区整合为11个", 39, 11, "个"),
        ("派出机构从20减少到12个", 20, 12, "个"),
        # the value after the verb dated by a relative year or the present, not only a year
        ("财政赤字率从2009年的2.8%降到去年的1.5%", 2.8, 1.5, "%"),
        ("资本充足率从2007年底的8.4%提升到去年底的13.3%", 8.4, 13.3, "%"),
        ("基本养老金从2004年人均每月700元提高到现在的1721元", 700, 1721, "元"),
    ],
)
def test_changes_are_one_metric_spanning_both_numbers(
    text: str, before: float, after: float, unit: str
) -> None:
    metric = only(text)
    assert (metric.kind, metric.before, metric.value, metric.unit) == (
        "change",
        before,
        after,
        unit,
    )
    assert str(before).removesuffix(".0") in metric.text
    assert str(after) in metric.text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("高新技术企业数量实现翻番。", [("翻番", 1, "番")]),
        ("进出口总值翻番达到2200亿元。", [("翻番", 1, "番"), ("2200亿元", 220_000_000_000, "元")]),
        ("不能只把注意力放在产值的翻番上。", []),  # the noun
        ("实现翻番式增长。", []),  # an adjective
    ],
)
def test_a_doubling_without_a_numeral_is_one_fan(
    text: str, found: list[tuple[str, float, str]]
) -> None:
    assert [(m.text, m.value, m.unit) for m in metrics_in(text)] == found


def test_a_precise_figure_with_decimals_is_no_code() -> None:
    # seven digits, but not in a row: an amount, where 12345678 would be a code
    assert only("全市地区生产总值达到33757.93亿元").value == 3_375_793_000_000
    assert metrics_in("服务编号12345678个") == []


def test_a_range_is_not_a_change() -> None:
    metric = only("统一设置2至3个事业单位")
    assert metric.kind == "count" and metric.before is None


def test_a_middle_dot_between_digits_is_a_decimal_point_before_a_unit() -> None:
    found = metrics_in("钢产量增长12·6%,外贸出口增长8·3%,节约资金2·5亿元。")
    assert [(m.text, m.value, m.unit) for m in found] == [
        ("12·6%", 12.6, "%"),
        ("8·3%", 8.3, "%"),
        ("2·5亿元", 250_000_000, "元"),
    ]
    # a dotted date naming an event has no unit after it: no figure, and no stray 5%
    assert metrics_in("抗击“7·21”特大暴雨,举办“5·18”文化遗产日和6·16安全宣传日活动。") == []


def test_a_percentage_describing_a_cut_is_a_percent() -> None:
    metric = only("编制数压减了35%")
    assert (metric.kind, metric.value) == ("percent", 35)


# --- not metrics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # dates and durations as time
        "2019年机构改革全面启动", "3月25日前完成", "2021年7月印发方案", "去年以来成效明显",
        "三天后召开全会", "一周后领导班子到位", "近一年半来取得阶段性成果", "3个月内完成挂牌",
        # document numbers, codes, phone numbers
        "鄂州编字〔2020〕6号", "按照省委37号文件要求", "联系电话:027-87235482", "鄂ICP备13009157号",
        # ordinals and list markers
        "第二次会议审议通过", "一是加强组织领导", "(三)强化督查问责", "第一条 为了规范机构设置",
        # names and slogans
        "党的十九届三中全会", "编制“十四五”规划", "深入开展“七五”普法", "出台“1+8”改革方案",
        "聚焦“10+1”个重点领域", "构建一中心四平台", "推行双随机一公开", "制定三定规定",
        "实行“四个集中”", "做到工作学习两不误", "单位一把手负总责", "提供一站式服务",
        "实行一个窗口受理", "坚持三个突出", "市十七届人大三次会议", "实现“1+1>2”的效果",
        "印发《三年行动计划》", "成立立法二处",
        # frequencies as a rule, articles
        "每年一次", "五年一次", "增速居全国前5位", "居同类城市前3名", "每年组织业务培训不少于2次", "一类事项原则上由一个部门统筹",
    ],
)  # fmt: skip
def test_not_metrics(text: str) -> None:
    assert metrics_in(text) == []


def test_outcome_durations_are_metrics_but_time_is_not() -> None:
    assert only("审批时限压缩至3个工作日").value == 3
    assert metrics_in("3个工作日后公布结果") == []


def test_long_quoted_passages_keep_their_metrics() -> None:
    found = metrics_in("按“综合科室压减30%,业务科室压减15%”的原则压减编制")
    assert [m.value for m in found] == [30, 15]


# --- subjects -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("下划900多名编制用于充实基层", "编制"),
        ("需人员转隶的34个单位全部完成转隶", "需人员转隶的单位"),
        ("市级设党政机构49个", "市级党政机构"),
        ("市级内设机构减少20个", "市级内设机构"),
        ("共计核减内设机构113个", "内设机构"),
        ("收回领导职数183个", "领导职数"),
        ("市政府办等16家单位维持不变", "单位"),
        ("实现326项审批事项即来即办", "审批事项"),
        ("落实137项“证照分离”事项", "“证照分离”事项"),
        ("下设7个以市委领导为组长的专项小组", "专项小组"),
        ("全市10个县(市、区)全部完成", "县(市、区)"),
        ("年度目标任务完成率达100%", "年度目标任务完成率"),
        ("地区生产总值增长6.8%", "地区生产总值增长"),
        ("城镇登记失业率控制在2%以内", "城镇登记失业率"),
        ("行政职能回归行政机关1048项", "行政职能"),
        ("市县两级党政机关划转职责共计857项", "划转职责"),
        ("配备执法车辆210辆", "执法车辆"),
        ("新增城市绿地186万平方米", "新增城市绿地"),
    ],
)
def test_subjects(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # an adverb of manner before the rate verb is dropped (jieba's vd adverbs included) …
        ("出口逆势增长17.8%", "出口增长"),
        ("出口大幅增长17.8%", "出口增长"),
        # … but an accumulation belongs to the rate, as 年均 does
        ("单位地区生产总值能耗累计下降14%", "单位地区生产总值能耗累计下降"),
        ("零售额合计增长15.7%", "零售额合计增长"),
    ],
)
def test_how_a_rate_went_is_not_the_subject_but_over_how_long_is(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize("verb", ["连跨", "迈上", "跨上", "连续跨越"])
def test_the_verb_reaching_counted_milestones_is_not_the_subject(verb: str) -> None:
    # 连跨 is unknown to the segmenter (a noun to it): the word before a counted milestone is
    # its verb, whatever the segmenter says, and the later figures take up the thing before it
    found = metrics_in(f"地区生产总值{verb}两个万亿元台阶,年均增长5.7%、高于全国0.3个百分点。")
    assert [m.subject for m in found] == ["地区生产总值", "地区生产总值年均增长", "地区生产总值"]


def test_a_thing_after_the_count_that_is_a_milestone_is_not_its_subject() -> None:
    found = metrics_in("地区生产总值五年跨过3个万亿级关口、突破10万亿元。")
    assert [m.subject for m in found] == ["地区生产总值", "地区生产总值"]


def test_an_amount_that_is_the_milestone_keeps_the_thing_before_it() -> None:
    found = metrics_in("国内生产总值突破3万亿元大关,比上年增长百分之十三点四。")
    assert [m.subject for m in found] == ["国内生产总值", "国内生产总值"]


def test_subject_carries_over_an_elliptical_list() -> None:
    found = metrics_in("涉改的249个承担行政职能的事业单位当中,保留139个,撤销66个,合并44个。")
    assert [m.value for m in found] == [249, 139, 66, 44]
    assert {m.subject for m in found} == {"承担行政职能的事业单位"}


def test_subject_carries_over_to_a_bare_count_but_not_across_sentences() -> None:
    found = metrics_in("市级设党政机构40个,比改革前减少8个。保留9个。")
    assert [m.subject for m in found[:2]] == ["市级党政机构", "市级党政机构"]
    assert found[2].subject is None


def test_distributed_subjects() -> None:
    found = metrics_in("其中,水利系统机构、编制精简比例分别达40.5%、18.2%")
    assert [m.subject for m in found] == ["水利系统机构精简比例", "水利系统编制精简比例"]


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        # 分别 then a change verb: one item of the list per figure
        ("养殖业、种植业产值分别增长6%、4%。", ["养殖业产值", "种植业产值"]),
        # the items end where the first one does; the rest is shared
        ("电子制造业、汽车制造业增加值分别增长8%、5%。", ["电子制造业增加值", "汽车制造业增加值"]),
        # each item a measure of its own; what the first opens with is shared
        ("单位产值水耗、能耗分别下降9%、7%。", ["单位产值水耗", "单位产值能耗"]),
        ("交通事故起数、受伤人数分别下降6%、3%。", ["交通事故起数", "交通事故受伤人数"]),
        # an ordinal list: 第二、第三产业 → 第二产业
        ("第二、第三产业投资分别增长5%、9%。", ["第二产业投资", "第三产业投资"]),
        # one-character items share what follows the last one's first character
        ("大、中型企业分别达到30家、50家。", ["大型企业", "中型企业"]),
        ("中、小学教师分别达到300名、500名。", ["中学教师", "小学教师"]),
        # a year glued to the list's first item by the segmenter (2019 / 年中 / 、)
        ("2019年中、高等专业学校分别达到12所、5所。", ["中等专业学校", "高等专业学校"]),
        # the last item repeats the first one's opening (规上): every item is whole
        (
            "规上零售业销售额、规上餐饮业营收分别增长4%和6%。",
            ["规上零售业销售额", "规上餐饮业营收"],
        ),
        # items of several words: only the measure after the last one is shared
        (
            "限上智能手机、节能灯具零售额分别增长12%、30%。",
            ["限上智能手机零售额", "节能灯具零售额"],
        ),
        (
            "今年企业职工养老金、城市低保、农村低保标准分别提高3%、5%、6%。",
            ["企业职工养老金标准", "城市低保标准", "农村低保标准"],
        ),
        # the items end in the same word (投资): each is a phrase of its own
        ("基础设施投资、工业投资分别增长3.2%、8.5%。", ["基础设施投资", "工业投资"]),
        # the first item ends in a measure of its own (总人数): it shares none with the last
        (
            "接待旅游总人数、游客旅游总花费分别增长10.6%、12.6%。",
            ["旅游总人数", "游客旅游总花费"],
        ),
        # the first item's head (装备产业) ends as a word of the last (产业) does
        (
            "高端装备产业、新材料产业产值占全市经济比重分别达30%、45%。",
            ["高端装备产业产值占全市经济比重", "新材料产业产值占全市经济比重"],
        ),
    ],
)
def test_a_list_before_a_respective_change_gives_one_item_per_figure(
    text: str, subjects: list[str]
) -> None:
    assert [m.subject for m in metrics_in(text)] == subjects


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        # two figures in a row after a pair word: one side each, in the order written
        (
            "全市金融机构存贷款余额分别达到2.1万亿元、1.7万亿元。",
            ["金融机构存款余额", "金融机构贷款余额"],
        ),
        # 城乡 is no pair word (the gold sets disagree on it: subject_words.json)
        (
            "全市城乡居民人均消费支出分别达3.1万元、1.8万元。",
            ["城乡居民人均消费支出", "城乡居民人均消费支出"],
        ),
        # a pair joined by 和 before two figures: one thing each
        ("交通事故起数和受伤人数分别下降6%、3%。", ["交通事故起数", "受伤人数"]),
        ("出口额和利润总额增长9%和6%。", ["出口额", "利润总额"]),
        ("项目个数与合同金额分别增长22.1%、15.1%。", ["项目个数", "合同金额"]),
        # one figure, or figures with their own subjects: the pair stays whole
        ("金融机构存贷款余额达到3.8万亿元。", ["金融机构存贷款余额"]),
        ("存贷款余额增长7%、贷款利率下降9%。", ["存贷款余额增长", "贷款利率下降"]),
    ],
)
def test_a_pair_word_before_two_figures_gives_each_one_side(text: str, subjects: list[str]) -> None:
    assert [m.subject for m in metrics_in(text)] == subjects


def test_people_counted_by_what_they_do_are_named_by_it() -> None:
    found = metrics_in("全市86个乡镇开展医保试点,42万人参保,9万人领取补贴。")
    assert [m.subject for m in found] == ["乡镇", "参保", "领取补贴"]
    # a longer clause after the people has a thing of its own: not taken
    assert only("新增城镇就业8万人,超额完成全年目标。").subject == "新增城镇就业"


def test_counted_people_close_at_the_person_noun() -> None:
    assert only("减免80万名农村学生教材费。").subject == "农村学生"
    # counting bodies, a person noun only modifies what is counted
    assert only("认定12家职工疗养基地。").subject == "职工疗养基地"


def test_a_bare_clause_measures_what_the_clause_before_it_said_changed() -> None:
    found = metrics_in("在税收增加的同时,非税收入也大幅度增加,二〇二〇年达到八百亿元。")
    assert [m.subject for m in found] == ["非税收入"]
    # a year in Chinese digits the segmenter cuts up is when, not what
    assert only("二〇二〇年粮食产量达到300亿斤。").subject == "粮食产量"
    # a clause before that says something else (出现…) carries nothing over
    assert only("财政出现较大缺口,两年合计三百亿元。").subject is None


def test_a_verb_led_phrase_filling_the_clause_after_a_verbs_count_is_what_is_counted() -> None:
    assert only("推进6个在建跨江大桥,确保年内通车。").subject == "在建跨江大桥"
    # a noun before the number counts it; the verb phrase after is the predicate
    assert only("执法职能95项划入新市农业农村局。").subject == "执法职能"


def test_older_respective_lists_with_commas_qualifiers_and_shi_ji() -> None:
    found = metrics_in("职工平均工资6200元,农民人均收入2100元,扣除价格因素,分别实际增长6%和4%。")
    assert [m.subject for m in found] == [
        "职工平均工资",
        "农民人均收入",
        "职工平均工资实际增长",
        "农民人均收入",
    ]


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("这项收入,2019年为12.5亿元,2020年达到14亿元。", ["收入", "收入"]),
        ("粮食总产量,比上年预计增长3%。", ["粮食总产量"]),
        ("研究表明,将达到12亿元。", [None]),  # a statement, not a heading
        ("根据需要和可能,将达到12亿元。", [None]),  # a condition
        ("“八五”末期,两年合计将达到12亿元。", [None]),  # a time
        # opened by an adjective (全); a time word before the phrase is dropped; years on both
        # sides of the change
        ("全行业技术改造投资,从2015年80亿元增加到2020年的150亿元。", ["全行业技术改造投资"]),
        ("今年省财政用于养老的支出,将由去年的12亿元增加到15亿元。", ["支出"]),
    ],
)
def test_a_sentence_headed_by_a_noun_phrase_names_what_its_figures_measure(
    text: str, subjects: list[str | None]
) -> None:
    assert [m.subject for m in metrics_in(text)] == subjects


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("“九五”时期平均每年增长8%。", "每年增长"),  # a plan period says when
        ("基础设施投资总额三年为900亿元。", "基础设施投资总额"),  # a span between subject and verb
        ("出口总额二〇二〇年比二〇一五年增长30%。", "出口总额增长"),  # a year between them
        ("五年内公共服务投资总规模为800亿元。", "公共服务投资总规模"),  # 五年内 opens the clause
    ],
)
def test_plan_periods_spans_and_years_around_the_subject_are_when(text: str, subject: str) -> None:
    assert metrics_in(text)[0].subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("全省商品销售总额扣除价格因素增长7%。", "商品销售总额增长"),
        ("农业总产值按可比价格计算增长4%。", "农业总产值增长"),
        ("财政收入按可比口径增加300亿元。", "财政收入"),
    ],
)
def test_a_computation_qualifier_is_not_the_subject(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("全省拥有国家重点实验室5个。", "国家重点实验室"),
        ("国家现代农业示范区增至8个。", "国家现代农业示范区"),
        ("国家安排专项资金20亿元。", "专项资金"),  # the nation acting: where, not what
    ],
)
def test_the_nation_opening_a_name_is_part_of_it(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("建成5G工厂120家。", "5G工厂"),  # digits with letters name a thing
        ("建成4K演播室6个。", "4K演播室"),
        ("万人专利拥有量达21.5件。", "万人专利拥有量"),  # a per-capita denominator
        ("每万人口技能人才数从80人提高到95人。", "每万人口技能人才"),
        ("全市研发投入强度达2.9%。", "研发投入强度"),  # 投入 compounds with 强度
    ],
)
def test_a_leading_numeral_that_belongs_to_the_name_stays(text: str, subject: str) -> None:
    assert only(text).subject == subject


def test_a_share_word_before_its_link_verb_is_not_split_into_a_link() -> None:
    # 占比 must win over 占 / 比达 (userdict.txt gives it a frequency), so 达 is the link
    assert only("光伏装机占比达36.5%。").subject == "光伏装机占比"
    assert only("服务业增加值占比重达到50%。").subject == "服务业增加值占比重"


def test_an_annual_average_rate_keeps_its_thing_and_its_adverb() -> None:
    found = metrics_in("工业总产值连续跨过两个千亿元台阶、达2300亿元、年均增长7%。")
    # 连续 is how, 台阶 a milestone reached: neither is what the later figures measure
    assert [m.subject for m in found] == ["工业总产值", "工业总产值", "工业总产值年均增长"]
    # a verb after the noun, last before the rate verb, is what grows (投入), not a predicate
    assert only("科技经费投入年均增长12%。").subject == "科技经费投入年均增长"
    assert only("全市研发投入增长9%。").subject == "研发投入增长"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # an adverbial adjective after the counted noun opens the predicate
        ("全年28项民生工程扎实推进。", "民生工程"),
        ("12个重点项目稳步实施。", "重点项目"),
        ("45项改革任务全面完成。", "改革任务"),  # a word led by an opener (全面完成)
        # a round numeral with 级 is a size class inside the name
        ("打造4个千亿级产业集群。", "千亿级产业集群"),
        # domain words the segmenter would cut (充电 / 桩, 蓄 / 能)
        ("全市公共充电桩达到2.6万台。", "公共充电桩"),
        ("新增3所本科院校。", "本科院校"),  # 本科 is a noun, not jieba's pronoun
        ("建成3个抽水蓄能电站。", "抽水蓄能电站"),
    ],
)
def test_adverbial_adjectives_and_domain_words_bound_the_subject(text: str, subject: str) -> None:
    assert only(text).subject == subject


def test_a_year_glued_to_the_next_word_is_still_a_date() -> None:
    assert only("2021年中等城市达到30个。").subject == "中等城市"
    assert only("2021年新增市场主体5万户。").subject == "新增市场主体"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("医保制度已推广到全国86%的县。", "县"),
        ("今年要使全国70%以上的乡镇普及垃圾分类。", "乡镇"),
        ("试点扩大到全省60%的行政村。", "行政村"),
    ],
)
def test_a_whole_place_before_a_share_says_where_what_is_counted_follows(
    text: str, subject: str
) -> None:
    assert only(text).subject == subject


def test_a_comparison_names_the_benchmark_not_the_subject_nor_the_place() -> None:
    found = metrics_in(
        "粮食单产提高到450公斤,高于全国平均水平12个百分点,农机化率快于全省2个百分点。",
        place="眉山市",
    )
    assert [m.subject for m in found] == ["粮食单产", "粮食单产", "农机化率"]
    assert {m.region.name if m.region else None for m in found} == {"眉山市"}


def test_a_span_of_years_or_a_place_opening_the_clause_is_not_the_subject() -> None:
    found = metrics_in("森林覆盖率达到45%,近5年提高3个百分点。今年城镇新增就业8万人。")
    assert [m.subject for m in found] == ["森林覆盖率", "森林覆盖率", "城镇新增就业"]
    assert only("眉山市规上工业增加值增长9%").subject == "规上工业增加值增长"


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("接待游客3亿人次、旅游收入900亿元,分别增长12%、15%。", ["游客", "旅游收入"] * 2),
        # the list of things stands in the clause before a bare 分别 clause
        ("粗钢、原煤产量首次双增长,比上年分别增长5%和3%。", ["粗钢产量", "原煤产量"]),
    ],
)
def test_respective_figures_take_their_own_item_of_the_list(text: str, subjects: list[str]) -> None:
    found = [m.subject or "" for m in metrics_in(text)]
    assert len(found) == len(subjects)
    assert all(got.removesuffix("增长") == want for got, want in zip(found, subjects, strict=True))


def test_topic_clause_completes_the_subject() -> None:
    found = metrics_in("新设置的机构中,市级与省对应38个")
    assert found[0].subject == "市级与省对应机构"


# --- actions, levels, places, indicators ------------------------------------------------------------


def test_actions_and_levels() -> None:
    metric = only("市县两级撤销事业单位12个")
    assert (metric.action, metric.level) == ("撤销", "市县两级")
    assert only("编制5个").action is None
    assert only("市级机构从61个减到49个").action == "精简"
    assert only("审批事项326项即来即办").action is None


def test_region_defaults_to_the_document() -> None:
    metric = only("精简机构12个", place="湛江市")
    assert metric.region == region("湛江市")
    assert only("精简机构12个").region is None


def test_a_place_leading_the_clause_takes_the_metric() -> None:
    metric = only("廉江市设立工作局3个", place="湛江市")
    assert metric.region is not None and metric.region.name == "廉江市"
    assert metric.region.code is not None and metric.region.code.startswith("4408")


def test_a_list_of_places_being_counted_does_not_move_the_metric() -> None:
    metric = only("在廉江市、雷州市等2个县级市开展试点", place="湛江市")
    assert metric.region == region("湛江市")


@pytest.mark.parametrize(
    "text",
    [
        "新创建全国文明城市13个。",  # a title the province's cities won
        "入选全国美丽河湖优秀案例3个。",
        "获全国性文艺评奖80项。",  # national-level, an adjective
        "第四次全国文物普查新发现文物点7642处。",  # a named undertaking
        "原煤产量占全国近三成。",  # the province's share of the nation
    ],
)
def test_the_nation_named_inside_a_phrase_leaves_the_figure_to_the_place(text: str) -> None:
    assert only(text, place="江苏省").region == region("江苏省")


@pytest.mark.parametrize(
    "text",
    [
        "全国粮食产量达到1.4万亿斤。",
        "去年全国粮食产量达到1.4万亿斤。",
        "其中全国粮食产量达1.4万亿斤。",
    ],
)
def test_the_nation_opening_a_clause_takes_the_figure(text: str) -> None:
    assert only(text, place="江苏省").region == region("中华人民共和国")


def test_a_city_section_of_a_round_up_takes_its_metrics() -> None:
    text = "全省精简机构100个。\n汕尾市\n全市撤销事业单位30个。\n梅州市\n全市合并事业单位7个。"
    sections = (
        Section("汕尾市", 1, text.index("汕尾市"), text.index("梅州市"), "standalone"),
        Section("梅州市", 1, text.index("梅州市"), len(text), "standalone"),
    )
    found = metrics_in(text, place="广东省", sections=sections)
    assert [m.region.name if m.region else None for m in found] == ["广东省", "汕尾市", "梅州市"]


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("市级设党政机构49个", "institutions.party_government"),
        ("市级机构从61个减到49个", "institutions.party_government"),
        ("共计核减内设机构113个", "internal_bodies.reduced"),
        ("编制精简率14.8%", "staffing.reduction_rate"),
        ("下划900多名编制用于充实基层", "staffing.sent_down"),
        ("向乡镇下放县级执法权限326项", "powers.devolved_to_townships"),
        ("向开发区下放市级管理权限90项", "powers.devolved_to_zones"),
        ("向各县下放审批事项40项", "powers.devolved_to_counties"),
        ("下放市级执法权限52项", "powers.devolved"),
        ("行政编制精简率为9.5%", "staffing.admin_reduction_rate"),
        ("事业编制精简率为7.2%", "staffing.institution_reduction_rate"),
        ("市级党政机构精简比例为20.5%", "institutions.reduction_rate"),
        ("市县两级划转职责共计857项", "duties.transferred"),
        ("行政职能回归2270项", "functions.returned"),
        ("组建综合执法队伍104支", "enforcement.teams"),
        ("撤销事业单位137个", "public_institutions.abolished"),
        ("合并事业单位44个", "public_institutions.merged"),
        ("保留事业单位139个", "public_institutions.retained"),
        ("议事协调机构精简比例达到30%", "coordination_bodies.reduction_rate"),
        ("核减领导职数198名", "leading_posts.reduced"),
    ],
)
def test_indicators(text: str, indicator: str) -> None:
    assert only(text).indicator == indicator


@pytest.mark.parametrize("text", ["召开专题会议10余次", "梳理55条政治标准", "新增市场主体6.9万户"])
def test_no_indicator_where_none_fits(text: str) -> None:
    assert only(text).indicator is None


def test_every_indicator_has_labels_and_rules() -> None:
    taxonomy = load_taxonomy()
    ids = [i.id for i in taxonomy.indicators]
    assert len(ids) == len(set(ids))
    for indicator in taxonomy.indicators:
        assert indicator.label_zh and indicator.label_en and indicator.unit and indicator.rules


# --- offsets and the component -------------------------------------------------------------------------


FILLER = st.text(alphabet="的了和在对机构改革工作推进,。、\n ", max_size=30)


@settings(max_examples=60, deadline=None)
@given(FILLER, st.integers(min_value=1, max_value=99_999), FILLER)
def test_offsets_index_the_text(before: str, number: int, after: str) -> None:
    text = f"{before}精简机构{number}个{after}"
    found = find_metrics(text)
    assert any(m.value == number and m.unit == "个" for m in found)
    for metric in found:
        assert text[metric.start : metric.end] == metric.text
        assert metric.text in text[metric.start - 0 :]
        assert metric.sentence in text


def test_component_through_spacy() -> None:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("cnpolicy_metrics")
    doc = nlp.make_doc("改革后,市级设党政机构49个,精简率14.8%。")
    doc._.cnpolicy_region = region("湛江市")
    doc = nlp.get_pipe("cnpolicy_metrics")(doc)
    spans = list(doc.spans["metrics"])
    records = [s._.cnpolicy_metric for s in spans]
    assert [r.value for r in records] == [49, 14.8]
    for span, record in zip(spans, records, strict=True):
        assert span.start_char <= record.start and record.end <= span.end_char
        assert doc.text[record.start : record.end] == record.text
        assert record.region == region("湛江市")


def test_component_config_and_project_pipeline() -> None:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    component = nlp.add_pipe("cnpolicy_metrics", config={"spans_key": "numbers"})
    doc = nlp("减少20个")
    assert "numbers" in doc.spans and "metrics" not in doc.spans
    assert isinstance(component, MetricsComponent) and component.spans_key == "numbers"
    from cnpolicy.config import ExtractOptions

    assert "cnpolicy_metrics" in build_nlp(ExtractOptions(entities=False)).pipe_names


# --- generalisation rules (each on a sentence written for the test) --------------------------------


def test_a_numbered_class_names_a_category_not_a_count() -> None:
    found = metrics_in("全县保留事业单位320个,其中公益一类210个、公益二类88个、其他22个。")
    assert [(m.value, m.unit) for m in found] == [(320, "个"), (210, "个"), (88, "个"), (22, "个")]
    assert [m.subject for m in found[1:]] == [
        "公益一类事业单位",
        "公益二类事业单位",
        "其他事业单位",
    ]


def test_a_count_of_classes_is_still_a_count() -> None:
    found = metrics_in("将全部事项划分为三类,分别制定办理流程。")
    assert [(m.value, m.unit) for m in found] == [(3, "类")]


def test_a_financial_digit_ending_a_word_does_not_join_the_numeral() -> None:
    metric = only("全市组建镇级综合执法队伍一百二十三支。")
    assert (metric.value, metric.unit) == (123, "支")
    assert metric.subject == "镇级综合执法队伍"
    assert metric.indicator == "enforcement.teams"


def test_an_outcome_duration_may_follow_its_figure() -> None:
    metric = only("不动产登记实现2个工作日办结。")
    assert (metric.value, metric.unit, metric.kind) == (2, "个工作日", "amount")


def test_a_plain_duration_is_still_no_metric() -> None:
    assert metrics_in("会议将于2个工作日后召开。") == []


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("全县约有三成村(社区)完成换届。", 30, "about"),
        ("下沉编制86名,约占全县行政编制总数的12%。", 12, "about"),
        ("下沉编制86名,占全县行政编制总数的12%。", 12, None),
    ],
)
def test_a_qualifier_may_stand_before_a_verb(text: str, value: float, approx: str | None) -> None:
    metric = metrics_in(text)[-1]
    assert (metric.value, metric.approx) == (value, approx)


def test_a_place_after_xiang_receives_rather_than_acts() -> None:
    found = metrics_in("向临桂区和各县下放市级审批权限48项。", place="桂林市")
    assert found[0].region is not None and found[0].region.name == "桂林市"
    acting = only("临桂区下放区级审批权限20项。", place="桂林市")
    assert acting.region is not None and acting.region.name == "临桂区"


def test_a_subject_is_word_complete_across_a_verb_tagged_head() -> None:
    metric = only("每个街道统一设置三个事业站所(中心)。")
    assert metric.subject == "事业站所(中心)"


def test_a_level_keeps_its_bound() -> None:
    metric = only("对全省15个国家级以上园区开展评估。")
    assert metric.subject == "国家级以上园区"


def test_a_count_before_de_counts_the_noun_it_stands_before() -> None:
    metric = only("调整9个街道的管理机构。")
    assert metric.subject == "街道"


def test_a_leading_time_phrase_is_not_the_subject() -> None:
    metric = only("调整中回归行政职能56项。")
    assert metric.subject == "行政职能"
    assert metric.indicator == "functions.returned"


def test_a_table_cell_ends_a_subject() -> None:
    metric = only("县级行政许可事项\t压减至95项\t持续优化")
    assert metric.subject == "县级行政许可事项"


def test_several_levels_are_a_scope_not_part_of_the_subject() -> None:
    metric = only("市县两级共核减事业编制1200名。")
    assert metric.subject == "事业编制"


def test_an_action_done_by_what_is_counted() -> None:
    found = metrics_in("全县经营类事业单位完成脱钩改制15家、撤销6家。")
    assert [m.subject for m in found] == ["经营类事业单位", "经营类事业单位"]
    assert found[1].indicator == "public_institutions.abolished"


def test_an_elided_object_is_carried_from_the_clause_before() -> None:
    found = metrics_in("每个镇统一设置五个综合办公室,规模较小的镇设置三个。")
    assert [m.subject for m in found] == ["综合办公室", "综合办公室"]


def test_a_counted_head_before_its_verb_is_not_elided() -> None:
    found = metrics_in("科室压减10%、内设机构总数设置不超过12个。")
    assert found[-1].subject != "科室"


def test_listed_actions_go_to_the_values_in_order() -> None:
    found = metrics_in("撤销、合并、保留县直事业单位分别为12个、9个和40个。")
    assert [m.action for m in found] == ["撤销", "合并", "保留"]
    assert [m.indicator for m in found] == [
        "public_institutions.abolished",
        "public_institutions.merged",
        "public_institutions.retained",
    ]


def test_a_bare_rate_takes_its_whole_from_the_sentence() -> None:
    found = metrics_in("县级议事协调机构由80个精简为35个,精简比例达56%。")
    assert found[-1].indicator == "coordination_bodies.reduction_rate"
    other = metrics_in("县级机构由80个精简为35个,精简比例达56%。")
    assert other[-1].indicator is None


# --- heldout2 classes: round-up paragraphs, tables, divisions, staffing 一名, ranges ------------------


def test_a_paragraph_opening_with_a_city_takes_its_figures() -> None:
    text = (
        "全省共精简机构120个。\n"
        "佛山市深化审批改革,加快数字政府建设。全市行政许可事项由300项精简至240项;"
        "办理时限压缩到5个工作日。\n"
        "记者了解到,全省还将下放事项80项。"
    )
    found = metrics_in(text, place="广东省")
    assert [m.region.name if m.region else None for m in found] == [
        "广东省",
        "佛山市",
        "佛山市",
        "广东省",
    ]


def test_a_paragraph_opening_with_a_place_outside_the_document_keeps_the_document() -> None:
    text = "湖南省召开推进会。会上通报各地精简机构35个。\n本市精简事项12项。"
    found = metrics_in(text, place="佛山市")
    assert [m.region.name if m.region else None for m in found] == ["佛山市", "佛山市"]


def test_a_table_cell_counts_what_its_column_header_names() -> None:
    text = "各乡镇情况如下:\n乡镇\t下放审批事项\t执法人员(名)\n甲镇\t41项\t12名\n乙镇\t37项\t9名\n"
    found = metrics_in(text)
    assert [(m.value, m.subject) for m in found] == [
        (41, "下放审批事项"),
        (12, "执法人员"),
        (37, "下放审批事项"),
        (9, "执法人员"),
    ]


def test_a_table_cell_with_its_own_words_keeps_them() -> None:
    text = "项目\t说明\n审批\t精简审批事项25项\n"
    assert only(text).subject == "审批事项"


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("全市6个县(区)行政编制总数由1200名减少到1100名。", ["县(区)", "行政编制总数"]),
        ("向9个县(市、区)和高新区下放管理权限85项。", ["县(市、区)", "管理权限"]),
        ("全市40个乡镇(街道)便民服务中心实现全覆盖。", ["乡镇(街道)便民服务中心"]),
        ("向11个区镇下放事项200项。", ["区镇", "下放事项"]),
    ],
)
def test_a_count_of_divisions_stops_where_another_figure_or_thing_begins(
    text: str, subjects: list[str]
) -> None:
    assert [m.subject for m in metrics_in(text)] == subjects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("设局长一名,副局长二名。", [(1, "局长"), (2, "副局长")]),
        ("核定机关工勤人员事业编制一名。", [(1, "机关工勤人员事业编制")]),
        ("副局长三名(其中一名兼任督查室主任)。", [(3, "副局长"), (1, "副局长")]),
        ("选派一名干部驻村帮扶。", []),
        ("作为一名党员要发挥作用。", []),
    ],
)
def test_one_after_the_post_it_counts_is_a_count(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert [(m.value, m.subject) for m in metrics_in(text)] == expected


@pytest.mark.parametrize(
    ("text", "value", "value_max", "unit"),
    [
        ("各镇分别承接二十五项至四十项不等", 25, 40, "项"),
        ("各镇分别配备8名至12名执法人员", 8, 12, "名"),
        ("面积2平方公里-5平方公里", 2, 5, "平方公里"),
    ],
)
def test_a_range_with_its_unit_at_both_ends_is_one_metric(
    text: str, value: int, value_max: int, unit: str
) -> None:
    metric = only(text)
    assert (metric.value, metric.value_max, metric.unit, metric.kind) == (
        value,
        value_max,
        unit,
        "count" if unit != "平方公里" else "amount",
    )


@pytest.mark.parametrize(
    "text",
    ["机构由12个至8个", "编制从40名到35名", "乡镇40个、街道12个"],
)
def test_falling_or_listed_figures_are_not_a_range(text: str) -> None:
    assert all(m.value_max is None for m in metrics_in(text))


@pytest.mark.parametrize(
    ("text", "value", "unit", "approx", "quote"),
    [
        ("全市个体工商户突破6万户", 60000, "户", "more_than", "突破6万户"),
        ("首付比例不低于项目总额的20%", 20, "%", "more_than", "不低于项目总额的20%"),
        ("每名干部年度培训不少于32学时", 32, "学时", "more_than", "不少于32学时"),
        ("开展专项检查45场次", 45, "场次", None, "45场次"),
        ("整理归档文书1.8万卷", 18000, "卷", None, "1.8万卷"),
    ],
)
def test_qualifiers_and_statistics_measure_words(
    text: str, value: float, unit: str, approx: str | None, quote: str
) -> None:
    metric = only(text)
    assert (metric.value, metric.unit, metric.approx, metric.text) == (value, unit, approx, quote)


def test_a_duration_cut_by_ya_jian_is_an_outcome_and_a_bare_date_is_not() -> None:
    assert only("竣工验收时间压减到15个工作日以内").approx == "at_most"
    assert metrics_in("15个工作日后再议") == []


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("每个乡镇综合办事机构一般为4至6个", "每个乡镇综合办事机构"),
        ("其中涉企事项占六成以上", "涉企事项"),
    ],
)
def test_adverbs_and_the_share_verb_do_not_end_a_subject(text: str, subject: str) -> None:
    assert only(text).subject == subject


# --- subject classes: bare rates completed, level prefixes that are part of what is counted --------


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("县级议事协调机构由80个精简为35个,精简比例达56%。", "县级议事协调机构精简比例"),
        ("全区事业单位由120个压减至77个,压减幅度35.8%。", "事业单位压减幅度"),
        ("行政编制总量由900名减少到810名,精简率10%。", "行政编制精简率"),
        ("全县内设机构从240个精简至180个,撤销60个,精简比例25%。", "内设机构精简比例"),
    ],
)
def test_a_bare_rate_is_completed_with_what_the_sentence_just_counted(
    text: str, subject: str
) -> None:
    assert metrics_in(text)[-1].subject == subject


def test_a_bare_rate_does_not_become_what_later_figures_count() -> None:
    found = metrics_in("全区事业单位由120个压减至77个,精简幅度35.8%,其中撤销30个。")
    assert [m.subject for m in found] == ["事业单位", "事业单位精简幅度", "事业单位"]


@pytest.mark.parametrize(
    "text",
    [
        "精简比例达到30%。",  # nothing counted before it in the sentence
        "编制精简率12%。",  # already names its thing
        "群众满意率达到96%。",  # not a rate of a reduction
    ],
)
def test_a_rate_with_nothing_counted_before_or_a_named_thing_is_left_alone(text: str) -> None:
    subject = only(text).subject
    assert subject is not None and text.startswith(subject)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("其中处级领导职数减少19名。", "处级领导职数"),
        ("提拔处级干部35名。", "处级干部"),
        ("全市共核定正科级领导职数120名。", "正科级领导职数"),
    ],
)
def test_a_rank_prefix_is_part_of_what_is_counted(text: str, subject: str) -> None:
    found = only(text)
    assert found.subject == subject
    assert found.level is None  # 处级/科级 are ranks of posts, not levels of government


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("平均审批时限由6个工作日压缩至3个工作日。", "平均审批时限"),  # 平均 qualifies a measure
        ("全年平均担保费率降至1.5%。", "平均担保费率"),
        ("每个乡镇平均承接事项40项。", "承接事项"),  # an adverb before the verb, not a measure
        ("登记审批时限再压减至5个工作日以内。", "登记审批时限"),  # 再 belongs to the verb
        ("年度报告公示率连续四年保持100%。", "年度报告公示率"),  # a span of years is no subject
        ("全县乡镇站所由80个整合为30个。", "乡镇站所"),
        ("配备专职网格员300名。", "专职网格员"),
        ("全年新增贷款额6亿元。", "新增贷款额"),
    ],
)
def test_subject_words_around_measures_and_split_heads(text: str, subject: str) -> None:
    assert only(text).subject == subject


def test_a_class_takes_the_head_of_a_class_named_before_and_is_not_carried() -> None:
    text = "保留的40个公益类事业单位全部明确类别,其中公益一类25个、公益二类15个。"
    found = metrics_in(text)
    assert [m.subject for m in found] == ["公益类事业单位", "公益一类事业单位", "公益二类事业单位"]
    plain = metrics_in("保留事业单位60个,其中公益一类41个、其他3个。")
    assert [m.subject for m in plain] == ["事业单位", "公益一类事业单位", "其他事业单位"]


# --- subject classes: meetings, verb-led relatives, receivers, stray verbs, 量 -------------------


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("区委编委会年内先后召开3次会议研究改革。", "区委编委会会议"),  # the body before the count
        ("年内召开市委编委会会议7次。", "市委编委会会议"),
        ("为服务县委编委会会议2次。", "县委编委会会议"),  # a word before the body is not it
        ("组织召开专题会议8次。", "专题会议"),  # no body named: the meeting as written
    ],
)
def test_meeting_counts_name_the_body_and_its_meetings(text: str, subject: str) -> None:
    assert metrics_in(text)[0].subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("从事生产经营活动的9个事业单位全部转企。", "从事生产经营活动的事业单位"),
        ("承担行政职能的15个事业单位完成改革。", "承担行政职能的事业单位"),
        ("原有的12个开发区整合为4个。", "开发区"),  # a bare verb is no relative clause
        ("全县的20个乡镇完成改革。", "乡镇"),  # a place before 的 is not one either
    ],
)
def test_a_verb_led_clause_before_the_number_qualifies_what_is_counted(
    text: str, subject: str
) -> None:
    assert metrics_in(text)[0].subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("为基层医院增加40名编制。", "基层医院编制"),
        ("为中学和小学调剂编制80名。", "中学和小学编制"),
        ("为中学补充教师编制80名。", "教师编制"),  # a named quota keeps its own name
        ("增加编制40名。", "编制"),  # no receiver
    ],
)
def test_a_quota_given_to_a_receiver_is_the_receivers_quota(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("选派驻企服务员300名。", "驻企服务员"),
        ("发现并整改问题25个。", "问题"),
        ("其余60名作为区级周转编制。", "区级周转编制"),
        ("各街道累计开展联合执法行动200余次。", "联合执法行动"),
        ("每年可节约财政经费约500万元。", "财政经费"),  # 可 + a saving verb is the predicate
        ("节约财政资金3.6亿元。", "财政资金"),
        ("配备执法人员120名。", "执法人员"),  # verb-noun compounds stay
        ("清理审批事项40项。", "审批事项"),
        ("全年新增就业1.5万人。", "新增就业"),
    ],
)
def test_stray_leading_verbs_are_not_what_is_counted(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("执法案件办理量同比增长20%。", "执法案件办理量"),
        ("窗口业务量增长15%。", "窗口业务量增长"),
        ("执法力量充实300名。", "执法力量"),  # 力量, 质量, 数量 are no measure 量
        ("产品质量合格率达到95%。", "产品质量合格率"),
    ],
)
def test_liang_after_a_verb_is_a_measure(text: str, subject: str) -> None:
    assert only(text).subject == subject


# --- statistic families of work reports (issue 10): sentences of our own ---------------------------


def quantities(text: str) -> list[tuple[float, float | None, str, str, str | None]]:
    return [(m.value, m.value_max, m.unit, m.kind, m.approx) for m in metrics_in(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("审批时限平均压缩三分之二。", (66.67, None, "%", "percent", None)),
        ("全县约四分之一的村完成改造。", (25, None, "%", "percent", "about")),
        ("会议文件比上年减少一半以上。", (50, None, "%", "percent", "more_than")),
        ("出口额比五年前增长2.5倍。", (2.5, None, "倍", "percent", None)),
        ("园区面积扩大一倍。", (1, None, "倍", "percent", None)),
        ("到那时产值要翻两番。", (2, None, "番", "percent", None)),
        ("利润较上期翻一番。", (1, None, "番", "percent", None)),
    ],
)
def test_fractions_and_multiples_are_percent_metrics(
    text: str, expected: tuple[float, float | None, str, str, str | None]
) -> None:
    assert quantities(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年PM2.5平均浓度降至28微克/立方米。", (28, "微克/立方米")),
        ("综合能耗控制在760万吨标准煤以内。", (7_600_000, "吨标准煤")),
        ("港口完成集装箱吞吐量960万标箱。", (9_600_000, "标箱")),
        ("新开国际货运航线7条。", (7, "条")),
        ("中欧班列全年开行1500列。", (1500, "列")),
        ("智能算力规模达到3000P。", (3000, "P")),
        ("生猪出栏2100万头,新增运输机12架。", (21_000_000, "头")),
        ("土壤有机质含量提高到25克/千克。", (25, "克/千克")),
        ("当年粮食总产量达到六百二十亿斤。", (62_000_000_000, "斤")),
        ("全年用电量达到850亿度。", (85_000_000_000, "度")),
        ("人均预期寿命提高到79.2岁。", (79.2, "岁")),
    ],
)
def test_domain_and_compound_units(text: str, expected: tuple[float, str]) -> None:
    assert (metrics_in(text)[0].value, metrics_in(text)[0].unit) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全市工业产值超千亿元。", (10**11, "元", "more_than")),
        ("引进企业千余家。", (1000, "家", "more_than")),
        ("这里生产上千种零部件。", (1000, "种", "more_than")),
        ("全县棉田九千三百多万亩。", (93_000_000, "亩", "more_than")),
        ("钢材产量达到二亿零三百多万吨。", (203_000_000, "吨", "more_than")),
        ("全年办理各类业务400多万件。", (4_000_000, "件", "more_than")),
        ("平均每所学校有教师三十二人。", (32, "人", None)),
    ],
)
def test_chinese_and_round_numbers_with_wan_and_yi(
    text: str, expected: tuple[float, str, str | None]
) -> None:
    found = metrics_in(text)
    assert [(m.value, m.unit, m.approx) for m in found] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "坚持中央八项规定精神不放松。",  # a political formula
        "在四项基本原则的指引下前进。",
        "统筹国内国际两个市场两种资源。",
        "这四条里面纪律最要紧。",  # pointing back at a list
        "淘汰5万吨以上的落后企业,关停10万千瓦及以下机组。",  # size classes
        "推进某某化工60万吨乙烯等项目建设。",  # a plant's size in its name
        "亩产达到八百斤以上的有三十个县。",  # the bound of a class (the 30 counties count)
        "该县生产总值超千亿元县的称号。",
        "创新指数排名提升5位。",  # a rank
        "加快机场三期扩建。",  # a phase
        "在八亿人民中间,我国有十亿人口。",  # numbers without a measure word
        "千方百计降低成本,实施千亿斤粮食产能提升行动。",  # round words without a qualifier
        "最近一个时期,他两度获奖,另一半由企业承担。",
        "要用不到四分之一世纪的时间完成。",  # a span of time
        "抓好两头,一头是粮食。",
        "为0—6岁儿童和65岁以上老人建立档案。",  # age groups
    ],
)
def test_figures_that_state_no_statistic_are_left_out(text: str) -> None:
    found = metrics_in(text)
    kept = [m.text for m in found if m.value not in (30,)]
    assert kept == [], kept


def test_the_count_of_a_class_is_kept_while_its_bound_is_left_out() -> None:
    found = metrics_in("亩产达到八百斤以上的有三十个县。")
    assert [(m.value, m.unit) for m in found] == [(30, "个")]


def test_a_change_between_two_dated_values_is_one_change() -> None:
    found = metrics_in("城镇人口比重由1990年的26.4%上升到2000年的36.2%。")
    assert [(m.value, m.before, m.kind) for m in found] == [(36.2, 26.4, "change")]
    found = metrics_in("粮食产量从一九六二年的三千二百亿斤,增加到了一九六五年的三千九百亿斤。")
    assert [(m.value, m.before) for m in found] == [(390_000_000_000, 320_000_000_000)]


def test_a_number_wrapped_onto_the_next_line_keeps_its_own_measure_word() -> None:
    found = metrics_in("向全市23\n个乡镇下放事项共计95项。")
    assert [(m.value, m.unit) for m in found] == [(23, "个"), (95, "项")]
    assert metrics_in("向全市23\n\n个乡镇下放") == []  # a new paragraph is not a wrap


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # a one-character adverb after the counted noun opens the predicate
        ("今年有5个县级城市新获评全国文明城市。", "县级城市"),
        ("全市共有120所普通高中全部实现寄宿制。", "普通高中"),
        # before any noun it still belongs to the counted phrase
        ("全年开工建设3个新项目。", "新项目"),
        # a forecast word opening the clause is not what is counted
        ("预计高新技术企业达8000家。", "高新技术企业"),
        ("广义货币M2预期增长13%左右。", "广义货币M2增长"),
        ("全年粮食产量力争达到1300亿斤。", "粮食产量"),
        ("用编计划1850名。", "用编计划"),  # 计划 as a noun stays
        # a target's modal before the last verb is said of the thing, not part of it
        ("今年县域农户信用贷款要增长25%以上。", "县域农户信用贷款增长"),
        ("今年工业废水排放量要下降4%。", "工业废水排放量下降"),
        # a milestone the figure reaches is not what it counts
        ("全市经济总量迈上三千亿元台阶。", "经济总量"),
        # a modifying verb standing last before the number predicates on the noun
        ("国际航线新增12条。", "国际航线"),
        ("市场主体新增3.2万户。", "市场主体"),
        # the document's own place opening the clause says where, not what
        ("我市新增市场主体3.2万户。", "新增市场主体"),
    ],
)
def test_predicates_forecasts_and_milestones_are_not_the_subject(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # a clause opening with the link measures what the figure before it counted
        ("2025年全省高职学生800万人，是2020年的1.5倍。", "高职学生"),
        ("全年技改投资820亿元，相当于前三年总和的1.2倍。", "技改投资"),
        # the thing before the link is what the multiple measures
        ("全年高职学生是2020年的1.5倍。", "高职学生"),
        ("全年技改投资相当于前三年总和的1.2倍。", "技改投资"),
    ],
)
def test_the_benchmark_after_a_link_is_not_the_subject(text: str, subject: str) -> None:
    assert metrics_in(text)[-1].subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # a round size, a class or digits with letters inside the counted phrase name the thing
        ("新增武汉、襄阳2个千亿县。", "千亿县"),
        ("新增软件等3个过千亿产业。", "过千亿产业"),
        ("全年有3款一类创新药集中获批上市。", "一类创新药"),
        ("全省建成12家省级5G工厂。", "省级5G工厂"),
    ],
)
def test_a_numeral_that_names_a_size_or_class_stays_in_the_counted_phrase(
    text: str, subject: str
) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # a measure after 的 is what the figure measures
        ("三年新增专项资金，形成2.5万亿元的投资规模。", "投资规模"),
        ("将小微企业现行6%的征收率降至3%。", "征收率"),
        # any other noun after 的 is sized by the figure, not measured by it
        ("引进总投资100亿元的项目。", "总投资"),
    ],
)
def test_a_measure_after_de_is_what_the_figure_measures(text: str, subject: str) -> None:
    assert metrics_in(text)[0].subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("今年各部门要带头精简会议、坚决把文件压减三分之一以上。", "文件"),
        ("全市坚决把非必要支出压减20%。", "非必要支出"),
    ],
)
def test_the_object_of_ba_is_what_the_figure_changes(text: str, subject: str) -> None:
    assert only(text).subject == subject


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # verbs jieba tags as nouns close the counted phrase
        ("新增3个典型案例亮相国际博览会。", "典型案例"),
        ("全年有2所职业院校升格本科。", "职业院校"),
        # nouns jieba tags as a verb, a locative or an adverb belong to it
        ("聚焦投资、消费、出口三类需求。", "需求"),
        ("制定200项两岸共通标准。", "两岸共通标准"),
        ("新开通12个高速服务区出入口。", "高速服务区出入口"),
    ],
)
def test_words_jieba_mistags_are_read_by_their_class(text: str, subject: str) -> None:
    assert only(text).subject == subject


def test_respective_inside_a_phrase_is_not_part_of_the_thing() -> None:
    text = "小微企业信用贷款、农户抵押贷款试点分别发放贷款600亿元、80亿元。"
    assert metrics_in(text)[-1].subject == "农户抵押贷款试点发放贷款"
