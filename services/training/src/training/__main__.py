from shared.app import serve
from training.config import Settings
from training.main import create_app

settings = Settings()
serve(create_app(settings), settings)
