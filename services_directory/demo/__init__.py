"""The demo directory: the services in NKVTS report 2/2015 plus example local services.

``data.py`` holds the entries, ``spec.py`` the shape they are written in, and
``loader.py`` loads them (``manage.py load_demo_data``).
"""

from services_directory.demo.data import all_specs
from services_directory.demo.loader import load_demo_directory
from services_directory.demo.spec import HSDS_PREFIX

__all__ = ["HSDS_PREFIX", "all_specs", "load_demo_directory"]
