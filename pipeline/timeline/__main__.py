import sys

from pipeline.timeline import main

sys.exit(main(sys.argv[1:]))
