import sys

from paramact.cli import main

sys.exit(main())
