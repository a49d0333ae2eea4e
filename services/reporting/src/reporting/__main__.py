from reporting.config import Settings
from reporting.main import create_app
from shared.app import serve

settings = Settings()
serve(create_app(settings), settings)
