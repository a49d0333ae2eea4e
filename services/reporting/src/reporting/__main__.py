from shared.app import serve

from reporting.config import Settings
from reporting.main import create_app

settings = Settings()
serve(create_app(settings), settings)
