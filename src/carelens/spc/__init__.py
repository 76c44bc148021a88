"""Statistical process control for indicator series: XmR (individuals) charts and their signals."""
