from notification.config import Settings
from notification.main import create_app
from shared.app import serve

settings = Settings()
serve(create_app(settings), settings)
