import uvicorn

from portal.app import create_app
from portal.config import Settings

settings = Settings()
uvicorn.run(
    create_app(settings),
    host=settings.host,
    port=settings.port,
    log_level="warning",
    proxy_headers=True,
    h11_max_incomplete_event_size=64 * 1024,  # a session of up to four 3,800-character cookies, with the rest
)
