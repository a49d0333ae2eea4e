"""Load the seed catalogue (``training.domain.catalogue_seed``) into the service's database:
``python -m training.seed``. Idempotent: programmes already there (perhaps edited by the BKPSDM) are left as
they are. Reads the same environment as the service (TRAINING_MONGODB_DATABASE, MONGODB_URL, credentials)."""

from __future__ import annotations

import asyncio

from shared.mongo import create_mongo_client
from training.config import Settings
from training.domain.catalogue import catalogue_problems
from training.domain.catalogue_seed import SEED_CATALOGUE
from training.repository.catalogue import CatalogueRepository
from training.services.context import utc_now


async def main(settings: Settings) -> int:
    problems = catalogue_problems(SEED_CATALOGUE)
    if problems:
        raise SystemExit("the seed catalogue breaks the rules: " + "; ".join(problems))
    client = create_mongo_client(settings.mongodb_url, "training-seed", auth=settings.mongo_auth)
    try:
        catalogue = CatalogueRepository(client[settings.mongodb_database])
        await catalogue.ensure_indexes()
        return await catalogue.seed(SEED_CATALOGUE, utc_now())
    finally:
        await client.close()


if __name__ == "__main__":
    added = asyncio.run(main(Settings()))
    print(f"training seed: {added} programme(s) added, {len(SEED_CATALOGUE) - added} already there")
