"""The sandbox's web page: the desk as its users see it in Telegram, live, in a browser.

:class:`~bot.sandbox.web.page.SandboxPage` serves the page (plain HTML, CSS and JavaScript in
``static/``, no build step, nothing from the internet), a stream of live updates
(:mod:`bot.sandbox.web.stream`) and the actions a Telegram client would take (send, forward,
press, reply), guarded by :mod:`bot.sandbox.web.guard`.
"""
