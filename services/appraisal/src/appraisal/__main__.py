from shared.app import serve

from appraisal.config import Settings
from appraisal.main import create_app

settings = Settings()
serve(create_app(settings), settings)
