from shared.app import serve

from notification.config import Settings
from notification.main import create_app

settings = Settings()
serve(create_app(settings), settings)
