"""``python -m dlviz.jobs FD``: a job worker process (see ``dlviz.jobs.worker``)."""

from dlviz.jobs.worker import main

if __name__ == "__main__":  # importing this module (the app preloads every module) does nothing
    main()
