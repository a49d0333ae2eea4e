import uvicorn

from portal.app import create_app
from portal.config import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", proxy_headers=True)
