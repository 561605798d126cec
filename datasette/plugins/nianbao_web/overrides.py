"""Upgrade-safe Datasette templates: the defaults each override was written against, and Chinese for their text.

Nianbao's templates extend Datasette's own (``{% extends "default:table.html" %}``) and replace whole blocks.
Text that sits inside a block Datasette does not split further (the "Apply" button, "Next page", …) is put
into Chinese by a Jinja2 preprocessing extension: each entry below names the exact default text and its
replacement. ``BASE_SHA256`` records the installed default each override and each entry was written against;
tests/datasette/test_ds_templates.py fails when the installed Datasette differs, so an upgrade is reviewed
instead of silently showing English or a stale copy.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from jinja2.ext import Extension

import datasette

DEFAULT_TEMPLATES = Path(datasette.__file__).resolve().parent / "templates"
log = logging.getLogger(__name__)

# sha256 of datasette 0.65.5's default templates that Nianbao overrides by block or translates.
BASE_SHA256 = {
    "index.html": "ed57b14bb5656bcdb133170a1d3aa2e2c71255662b1b0ecce7a86dc8a9406294",
    "database.html": "4fd5e97823bb5380b54c4f4f5285f07d1db74e366ef6225aa46dddfcf5b2c88a",
    "table.html": "81cec4b0f7948bf0b4756b1a0ce706ce30d5694e506fd5639f3cd08a4a8f88a9",
    "row.html": "ff5dde41541c39dd09f1dee1bbb3e4e58e8487775b17e1c9650bd558eb1b5a17",
    "query.html": "bc3559df0e209da97d0bb46d0da5e36e02a9a561e4e473d1b79f62776786b435",
    "error.html": "c2115d1fdbff1a480b804fe880bafec9a754544f7b154e5322f680309ee3b497",
    "_table.html": "f75a8872713f28fdce49b9a44a397f26ba1b5db5e82a74dda1f20ec14faaaa57",
    "_description_source_license.html": "13fcf73b733dadc598f79a11ce5ec04df6205d13deefeb76bd388008cc072e51",
    "_facet_results.html": "622d3c764aa14f17f07714af7bbdee5719adfbce9cce5358fd3df3e2df137f30",
    "_crumbs.html": "882c9d69e13363b440d4b977d432ae7287548d53e71ca199327c1acece3c9c81",
    "_footer.html": "d190d9e7dc5046c1bdfb2b738c60754143eab44fdbae2d9a74e7b8f1aa2cf44b",
    "base.html": "bb22df33caea147e1db3b238878f2716ab698c81be89a66d9dabd5649e899dc2",
}

# template -> [(default text, Nianbao text[, occurrences])]; each default text must occur in the template exactly
# once (or the given number of times).
TEXT: dict[str, list[tuple]] = {
    "table.html": [
        ("<h1>{{ metadata.title or table }}", "<h1>{{ metadata.title or table|nb_table }}"),
        (
            '{{ "{:,}".format(filtered_table_rows_count) }} row{% if filtered_table_rows_count == 1 %}{% else %}s{% endif %}{% endif %}\n',
            '{{ "{:,}".format(filtered_table_rows_count) }} 行{% endif %}\n',
        ),
        ("{% if human_description_en %}{{ human_description_en }}{% endif %}", ""),
        ('<label for="_search">Search:</label>', '<label for="_search">检索</label>'),
        ('<option value="">- remove filter -</option>', '<option value="">- 去掉此条件 -</option>'),
        ('<option value="">- column -</option>', '<option value="">- 选择字段 -</option>'),
        (
            "<option{% if c == column %} selected{% endif %}>{{ c }}</option>",
            '<option value="{{ c }}"{% if c == column %} selected{% endif %}>{{ c|nb_label or c }}</option>',
        ),
        (">{{ display }}</option>", ">{{ display|nb_lookup }}</option>", 2),
        (
            "<option>{{ column }}</option>",
            '<option value="{{ column }}">{{ column|nb_label or column }}</option>',
        ),
        ('<option value="">Sort...</option>', '<option value="">排序……</option>'),
        (">Sort by {{ column.name }}</option>", ">按{{ column.name|nb_label or column.name }}排序</option>"),
        ("> descending</label>", "> 从大到小</label>"),
        ('<input type="submit" value="Apply">', '<input type="submit" value="筛选">'),
        (
            '<span class="underlined">View and edit SQL</span>',
            '<span class="underlined">查看并修改 SQL</span>',
        ),
        (
            '<p class="export-links">This data as {% for name, url in renderers.items() %}<a href="{{ url }}">{{ name }}</a>'
            '{{ ", " if not loop.last }}{% endfor %}{% if display_rows %}, <a href="{{ url_csv }}">CSV</a> '
            '(<a href="#export">advanced</a>){% endif %}</p>',
            '{% include "_nianbao_export_links.html" %}',
        ),
        ('<a href="{{ next_url }}">Next page</a>', '<a href="{{ next_url }}">下一页</a>'),
        ("<h3>Advanced export</h3>", "<h3>更多导出选项</h3>"),
        ("<p>JSON shape:", "<p>JSON 格式："),
        ("CSV options:", "CSV 选项："),
        ('name="_dl"> download file</label>', 'name="_dl"> 下载为文件</label>'),
        ('name="_labels" checked> expand labels</label>', 'name="_labels" checked> 显示外键名称</label>'),
        ('name="_stream"> stream all rows</label>', 'name="_stream"> 导出全部行</label>'),
        (
            '<input type="submit" value="Export CSV">',
            '<label><input type="checkbox" name="_bom" value="1" checked> Excel 可直接打开（BOM、中文表头）</label>'
            ' <input type="submit" value="导出 CSV">',
        ),
        (
            '<p class="facets-timed-out">These facets timed out:',
            '<p class="facets-timed-out">以下分面统计超时：',
        ),
        (
            '<dl class="column-descriptions">',
            '<details class="nb-column-descriptions"><summary>字段说明（{{ metadata.columns|length }}）</summary>'
            '<dl class="column-descriptions">',
        ),
        (
            "        <dt>{{ column_name }}</dt>",
            "        <dt>{{ column_name|nb_label or column_name }} <code>{{ column_name }}</code></dt>",
        ),
        ("</dl>\n{% endif %}", "</dl></details>\n{% endif %}"),
    ],
    "query.html": [
        (
            "<h3>Custom SQL query{% if display_rows %} returning {% if truncated %}more than {% endif %}"
            '{{ "{:,}".format(display_rows|length) }} row{% if display_rows|length == 1 %}{% else %}s{% endif %}{% endif %}',
            "<h3>{% if canned_query %}查询结果{% else %}自定义 SQL 查询{% endif %}{% if display_rows %}："
            '{% if truncated %}超过 {% endif %}{{ "{:,}".format(display_rows|length) }} 行{% endif %}',
        ),
        # Canned queries: the years in effect and help when nothing matched (plugins/nianbao_answers.py).
        (
            '{% block description_source_license %}{% include "_description_source_license.html" %}{% endblock %}',
            '{% block description_source_license %}{% include "_description_source_license.html" %}'
            '{% include "_nianbao_answer.html" %}{% endblock %}',
        ),
        ("<h3>Query parameters</h3>", "<h3>查询条件</h3>"),
        (
            '<label for="qp{{ loop.index }}">{{ name }}</label>',
            '<label for="qp{{ loop.index }}">{{ name|nb_label or name }}</label>',
        ),
        ('<input type="submit" value="Run SQL"', '<input type="submit" value="查询"'),
        ('class="canned-query-edit-sql">Edit SQL</a>', 'class="canned-query-edit-sql">修改 SQL</a>'),
        (
            '<p class="export-links">This data as {% for name, url in renderers.items() %}<a href="{{ url }}">{{ name }}</a>'
            '{{ ", " if not loop.last }}{% endfor %}, <a href="{{ url_csv }}">CSV</a></p>',
            '{% include "_nianbao_export_links.html" %}',
        ),
        (
            'scope="col">{{ column }}</th>',
            'scope="col">{% set nb_zh = column|nb_label %}{% if nb_zh %}<span class="nb-zh">{{ nb_zh }}</span>'
            '<small class="nb-code">{{ column|nb_wbr }}</small>{% else %}{{ column|nb_wbr }}{% endif %}</th>',
        ),
        ('<p class="zero-results">0 results</p>', '{% include "_nianbao_zero_results.html" %}'),
    ],
    "database.html": [
        ("<h3>Custom SQL query</h3>", "<h3>自定义 SQL 查询</h3>"),
        ('<input type="submit" value="Run SQL">', '<input type="submit" value="查询">'),
        ('<h2 id="queries">Queries</h2>', '<h2 id="queries">常用查询</h2>'),
        ('<h2 id="tables">Tables</h2>', '<h2 id="tables">数据表</h2>'),
        (
            ">{{ table.name }}</a>{% if table.private %}",
            '>{{ table.name|nb_table }}</a> <small class="nb-code">{{ table.name }}</small>{% if table.private %}',
        ),
        ("<em> (hidden)</em>", "<em>（隐藏）</em>"),
        (
            '{% if table.count is none %}Many rows{% else %}{{ "{:,}".format(table.count) }} row{% if table.count == 1 %}{% else %}s{% endif %}{% endif %}',
            '{% if table.count is none %}行数很多{% else %}{{ "{:,}".format(table.count) }} 行{% endif %}',
        ),
        (
            '<p>... and <a href="{{ urls.database(database) }}?_show_hidden=1">{{ "{:,}".format(hidden_count) }} hidden table{% if hidden_count == 1 %}{% else %}s{% endif %}</a></p>',
            '<p>另有 <a href="{{ urls.database(database) }}?_show_hidden=1">{{ "{:,}".format(hidden_count) }} 张隐藏的表</a></p>',
        ),
        ('<h2 id="views">Views</h2>', '<h2 id="views">视图</h2>'),
    ],
    "_table.html": [
        (
            "{% if not column.sortable %}\n                            {{ column.name }}",
            "{% set nb_zh = column.name|nb_label(column.description) %}"
            '{% if nb_zh %}<span class="nb-zh">{{ nb_zh }}</span>{% endif %}'
            "{% if not column.sortable %}\n                            {{ column.name }}",
        ),
        ('<p class="zero-results">0 records</p>', '{% include "_nianbao_zero_results.html" %}'),
    ],
    "_description_source_license.html": [
        ("Data license:", "许可："),
        ("Data source:", "来源："),
        ("About:", "关于："),
    ],
    "_facet_results.html": [
        (
            "<strong>{{ facet_info.name }}",
            "<strong>{{ facet_info.name|nb_label or facet_info.name }}",
        ),
        (
            '{{ (facet_value.label | string()) or "-" }}',
            '{{ facet_value.label|nb_value(facet_info.name, table) or "-" }}',
        ),
        (
            '<li>{{ facet_value.label or "-" }} &middot;',
            '<li>{{ facet_value.label|nb_value(facet_info.name, table) or "-" }} &middot;',
        ),
    ],
    "row.html": [
        ("<p>This data as ", "<p>导出："),
        ("<h2>Links from other tables</h2>", "<h2>其他表中的相关数据</h2>"),
        (
            "row{% if other.count == 1 %}{% else %}s{% endif %}</a>\n                from {{ other.other_column }} in {{ other.other_table }}",
            "行</a>\n                {{ other.other_table|nb_table }}（{{ other.other_column|nb_label or other.other_column }}）",
        ),
    ],
    "_crumbs.html": [
        (
            '<a href="{{ item.href }}">{{ item.label }}</a>',
            '<a href="{{ item.href }}">{{ item.label|nb_crumb }}</a>',
        )
    ],
    "base.html": [
        # Atom feeds that fit the page, as <link rel="alternate"> (plugins/nianbao_feeds.py).
        (
            "{%- block extra_head %}{% endblock -%}",
            '{% include "_nianbao_feeds.html" %}{%- block extra_head %}{% endblock -%}',
        ),
    ],
    "_footer.html": [
        ("Powered by ", "技术支持："),
        ("&middot; Queries took {{ query_ms|round(3) }}ms", "&middot; 查询用时 {{ query_ms|round(1) }} 毫秒"),
        ("Data license:", "许可："),
        ("Data source:", "来源："),
        ("About:", "关于："),
    ],
}


def template_sha256(name: str) -> str:
    """sha256 of an installed Datasette default template ('' when Datasette has no such template)."""
    path = DEFAULT_TEMPLATES / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def translate(name: str, source: str) -> tuple[str, list[str]]:
    """A default template's source with Nianbao's text; also the default texts that were not found once."""
    missing = []
    for old, new, *times in TEXT.get(name, []):
        if source.count(old) != (times[0] if times else 1):
            missing.append(old)
            continue
        source = source.replace(old, new)
    return source, missing


class DefaultTextExtension(Extension):
    """Jinja2 preprocessing of Datasette's own templates (only files under its templates folder)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if not filename or Path(filename).resolve().parent != DEFAULT_TEMPLATES:
            return source
        translated, missing = translate(Path(filename).name, source)
        for old in missing:
            log.warning("Datasette template %s no longer contains %r: left in English", filename, old)
        return translated
