"""Helpers shared by the Nianbao Datasette plugins: code labels, report table layout, SVG charts, capture view."""
