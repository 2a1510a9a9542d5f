"""What an import did, item by item, and how it is told."""

from dataclasses import dataclass, field

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass
class Line:
    outcome: str
    kind: str
    title: str
    detail: str = ""


@dataclass
class Report:
    source: str = ""
    dry_run: bool = False
    lines: list[Line] = field(default_factory=list)
    comments_skipped: int = 0

    def add(self, outcome: str, kind: str, title: str, detail: str = "") -> None:
        self.lines.append(Line(outcome, kind, title, detail))

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def failed(self) -> bool:
        return self.count("failed") > 0

    def summary(self) -> str:
        return ", ".join(f"{self.count(o)} {o}" for o in OUTCOMES)

    def as_text(self) -> str:
        """The report a person reads at the end: totals first, then every item that needs a word."""
        head = f"{self.source}: {self.summary()}"
        if self.dry_run:
            head += " (dry run: nothing was written)"
        rows = [head]
        for line in self.lines:
            if line.outcome == "unchanged" and not line.detail:
                continue
            detail = f": {line.detail}" if line.detail else ""
            rows.append(f"  {line.outcome:<9} {line.kind:<6} “{line.title}”{detail}")
        if self.comments_skipped:
            rows.append(
                f"  {self.comments_skipped} comments skipped: Blogsite has no comments "
                "(keep the export file if you want them later)."
            )
        return "\n".join(rows)
