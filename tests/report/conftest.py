"""The report's tests share one headless Chromium per test module (see tests/browser)."""

from browser import browser_context as browser_context
