"""Build hook: a wheel ships the root-level ``templates/`` inside the package, as ``bot/_templates``.

The templates live at the top of the repository (where an editor finds and edits them); an installed
newsbot has no repository around it, so the build copies them in. An editable install reads the
checkout's ``templates/`` directly and needs no copy. Everything else is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATES = Path(__file__).resolve().parent / "templates"


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not TEMPLATES.is_dir():
            return
        target = Path(self.build_lib) / "bot" / "_templates"
        shutil.rmtree(target, ignore_errors=True)  # a template deleted since the last build must not linger
        target.mkdir(parents=True)
        for path in sorted(TEMPLATES.iterdir()):
            if path.is_file() and path.suffix in (".j2", ".md"):
                shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": BuildPyWithTemplates})
