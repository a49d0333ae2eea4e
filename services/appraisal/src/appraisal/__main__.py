from appraisal.config import Settings
from appraisal.main import create_app
from shared.app import serve

settings = Settings()
serve(create_app(settings), settings)
