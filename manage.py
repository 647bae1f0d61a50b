#!/usr/bin/env python
from xuefen.cli import main

if __name__ == "__main__":
    main()
