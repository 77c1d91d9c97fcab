"""Demo directory content. Filled by the services-directory work (issue 3)."""


def load_demo_directory() -> str:
    return "no demo services yet"
