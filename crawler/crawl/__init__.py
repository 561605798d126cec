"""The crawler: Scrapy spiders' shared machinery (archive sink, middlewares, scope, failures, runs)."""
