"""What the Python end-to-end tests that drive sessions with Selenium's Python client share: a
connection that sends the host's client token, a client session of any backend, and its
clean-up."""
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.remote_connection import RemoteConnection

CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def token_connection(url, token):
    """Selenium's own HTTP connection to `url`, sending `token` as the host's client token."""

    class TokenConnection(RemoteConnection):
        @classmethod
        def get_remote_connection_headers(cls, parsed_url, keep_alive=False):
            headers = super().get_remote_connection_headers(parsed_url, keep_alive)
            headers["Authorization"] = f"Bearer {token}"
            return headers

    return TokenConnection(url)


def client_for(url, token, browser, capabilities=None):
    """A Selenium client session of `browser` ("chrome", "firefox", "MiniBrowser") through the
    host at `url`, with `capabilities` added."""
    if browser == "chrome":
        options = webdriver.ChromeOptions()
        for arg in CHROME_ARGS + ["--window-size=800,600"]:
            options.add_argument(arg)
    elif browser == "firefox":
        options = webdriver.FirefoxOptions()
        options.add_argument("-headless")
    else:
        options = ArgOptions()
        options.set_capability("browserName", browser)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    return webdriver.Remote(command_executor=token_connection(url, token), options=options)


def quit_all(*drivers):
    """Ends each client session that was made, whatever became of it."""
    for driver in drivers:
        if driver is not None:
            try:
                driver.quit()
            except WebDriverException:
                pass
