"""Optuna 3.1 peer for `npm run bench:engine` part (a): a trivial objective on a shared PostgreSQL RDB study.

Usage (always with /usr/bin/python3, which has optuna and psycopg2):
  optuna_peer.py setup    '{"admin": "postgresql://postgres@127.0.0.1/postgres", "db": "...", "study": "..."}'
  optuna_peer.py run      '{"url": "postgresql://postgres@127.0.0.1/<db>", "study": "...", "trials": 500, "seed": 0}'
  optuna_peer.py teardown '{"admin": "...", "db": "..."}'
`setup` creates the database and the study; `run` (one process per worker) loads the study and runs
`study.optimize` for its share of trials, printing one JSON line with its timings; `teardown` drops the database.
"""
import json
import sys
import time

import psycopg2


def admin(url, statement):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def objective(trial):
    x = trial.suggest_float("x", -10.0, 10.0)
    return x * x


def main():
    cmd, args = sys.argv[1], json.loads(sys.argv[2])
    if cmd == "teardown":
        admin(args["admin"], f'DROP DATABASE IF EXISTS "{args["db"]}" WITH (FORCE)')
        return
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if cmd == "setup":
        admin(args["admin"], f'DROP DATABASE IF EXISTS "{args["db"]}" WITH (FORCE)')
        admin(args["admin"], f'CREATE DATABASE "{args["db"]}"')
        storage = optuna.storages.RDBStorage(args["url"])
        optuna.create_study(study_name=args["study"], storage=storage, direction="minimize")
        print(json.dumps({"optuna_version": optuna.__version__}))
        return
    if cmd == "run":
        storage = optuna.storages.RDBStorage(args["url"])
        study = optuna.load_study(study_name=args["study"], storage=storage, sampler=optuna.samplers.RandomSampler(seed=args["seed"]))
        t0 = time.time()
        study.optimize(objective, n_trials=args["trials"])
        t1 = time.time()
        print(json.dumps({"start": t0, "end": t1, "trials": args["trials"]}))
        return
    raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
