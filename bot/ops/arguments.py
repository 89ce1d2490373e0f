"""The command line the operator's commands share: `python -m bot <command> --config FILE ...`."""

from __future__ import annotations

import argparse


def command_parser(command: str, description: str) -> argparse.ArgumentParser:
    """The parser of `python -m bot <command>`, with the --config every command reads."""
    parser = argparse.ArgumentParser(prog=f"python -m bot {command}", description=description)
    parser.add_argument("--config", default="config.yaml", help="the YAML file (config.yaml)")
    return parser
