"""The one error an Open311 view raises: the HTTP status and what the partner is told."""


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)
