"""What a document is cited by: its number, its dates and its address (sentences of our own)."""

from __future__ import annotations

from cnpolicy.dedup import content_id
from cnpolicy.extract.citation import own_number, with_citation
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document

NOTICE = (
    "江州市人民政府办公室文件\n"
    "江府办发〔2023〕７号\n"
    "江州市人民政府办公室关于印发《江州市机构编制管理办法》的通知\n"
    "各区县人民政府：\n"
    "根据省政府办公厅川办发〔2022〕18号文件精神，现将办法印发给你们，请认真贯彻执行。\n"
    "本办法自2023年5月1日起施行。\n"
    "江州市人民政府办公室\n"
    "2023年4月10日\n"
)


def test_the_own_number_stands_on_a_line_of_its_own_in_the_head() -> None:
    assert own_number(NOTICE) == "江府办发〔2023〕7号"
    cited_only = NOTICE.replace("江府办发〔2023〕７号\n", "")
    assert own_number(cited_only) is None  # 川办发〔2022〕18号 is cited in a sentence
    assert own_number("湘编办发〔2020〕3号  签发人：李明\n通知") == "湘编办发〔2020〕3号"


def test_the_effective_date_joins_the_stated_dates() -> None:
    document = Document(id=content_id(NOTICE), source="n.txt", format="txt", text=NOTICE,
                        dates={"written": "2023-04-10"})  # fmt: skip
    cited = with_citation(document)
    assert cited.doc_number == "江府办发〔2023〕7号"
    assert cited.dates == {"written": "2023-04-10", "effective": "2023-05-01"}
    issued_day = NOTICE.replace("自2023年5月1日起施行", "自印发之日起施行")
    same_day = with_citation(Document(id="x", source="n.txt", format="txt", text=issued_day,
                                      dates={"written": "2023-04-10"}))  # fmt: skip
    assert same_day.dates["effective"] == "2023-04-10"


def test_ingest_reads_the_signature_date_and_the_page_address() -> None:
    described = ingest_bytes(NOTICE.encode("utf-8"), source="n.txt")
    assert described.dates == {"written": "2023-04-10"}
    page = (
        "<html><head><title>关于调整机构的通知</title>"
        '<link rel="canonical" href="https://www.jiangzhou.gov.cn/zwgk/2023/t1.html">'
        '<meta property="og:url" content="https://m.jiangzhou.gov.cn/t1.html"></head><body>'
        "<h1>关于调整机构的通知</h1><p>发布时间：2023-04-12 来源：江州市人民政府</p>"
        "<p>为进一步优化机构设置，经研究，决定调整有关机构。各单位要认真做好衔接工作。</p>"
        "</body></html>"
    )
    html = ingest_bytes(page.encode("utf-8"), source="p.html")
    assert html.url == "https://www.jiangzhou.gov.cn/zwgk/2023/t1.html"
    assert html.dates == {"published": "2023-04-12"}
    og_only = page.replace(
        '<link rel="canonical" href="https://www.jiangzhou.gov.cn/zwgk/2023/t1.html">', ""
    )
    assert (
        ingest_bytes(og_only.encode("utf-8"), source="p.html").url
        == "https://m.jiangzhou.gov.cn/t1.html"
    )
    in_line = og_only.replace(
        '<meta property="og:url" content="https://m.jiangzhou.gov.cn/t1.html">', ""
    )
    in_line = in_line.replace(
        "来源：江州市人民政府", "来源：江州市人民政府 原文链接：http://jz.example.cn/a/1.html"
    )
    assert (
        ingest_bytes(in_line.encode("utf-8"), source="p.html").url
        == "http://jz.example.cn/a/1.html"
    )
