"""Bringing a read export into the site: authors, posts and pages, their tags and old links.

One entry point, ``import_blog_file``; the readers (wordpress.py, ghost.py) decide what an
item means, this module only writes it, remembering each item's source and id
(``ImportedItem``) so that running the same file again changes only what changed.
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from accounts.models import Role, User
from media.models import Image
from media.processing import Refused
from posts.models import MAX_BODY_LENGTH, Post, Revision, Tag, reserved_slugs, unique_slug
from posts.services import bulk_writes, create_posts, revision_record

from .blogsite_reader import ImageFileRefused
from .items import SourceAuthor, SourceImage, SourcePost, SourceSkip, old_path
from .media_files import ImageNotTaken, MediaFiles
from .models import ImportedItem, OldLink
from .report import Report

MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\((\S+?)(?=[\s)])")
BATCH = 100  # items per commit: a commit per item would spend most of an import waiting on the disk
PLATFORM_NAMES = {"wordpress": "WordPress", "ghost": "Ghost"}


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll every write back."""


@contextmanager
def _kept_unless(dry_run: bool) -> Iterator[None]:
    """The block's writes, committed as it goes; in a dry run, one transaction rolled back at its end."""
    if not dry_run:
        yield
        return
    try:
        with transaction.atomic():
            yield
            raise _DryRunDone
    except _DryRunDone:
        pass


Progress = Callable[[int, int], None]  # (items done, items in the file)


def import_blog_file(
    reader,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    media_dir=None,
    fetch_media: bool = False,
) -> Report:
    """Import everything ``reader`` yields; with ``dry_run`` do the same work and keep none of it.

    Images come into the media library from ``media_dir`` (a copy of the old uploads folder)
    or, with ``fetch_media``, from their URLs; a dry run only says which it would take.

    The file is checked whole before anything is written (``reader.scan()`` raises
    ``ImportFileError``). Items are committed in batches: a batch's new posts are inserted
    together, the rest each in its own savepoint. An item that fails is rolled back and
    reported with its reason, and the others go on.
    """
    scan = reader.scan()
    name = PLATFORM_NAMES[reader.platform]
    report = Report(source=f"{name} import of {reader.path.name}", dry_run=dry_run)
    importer = _Importer(
        source=f"{reader.platform}:{getattr(scan, 'site_url', '')}",
        name=name,
        report=report,
        media=MediaFiles(reader, media_dir=media_dir, fetch=fetch_media),
        dry_run=dry_run,
    )
    with _kept_unless(dry_run), bulk_writes():
        importer.authors(scan.authors)
        with transaction.atomic():
            importer.attachments(scan.images)
        items, done = iter(reader.posts()), 0
        while batch := list(islice(items, BATCH)):
            with transaction.atomic():  # one commit per batch
                importer.batch(batch)
            done += len(batch)
            if progress:
                progress(done, scan.item_count)
    return report


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class _Importer:
    def __init__(self, *, source: str, name: str, report: Report, media: MediaFiles, dry_run: bool):
        self.source, self.name, self.report = source, name, report
        self.media, self.dry_run = media, dry_run
        self.images: dict[str, SourceImage] = {}  # the export's attachments, by id
        self.taken: dict[str, Image | None] = {}  # library images by file or URL (None: not taken)
        self.users: dict[str, User] = {}
        self.known: dict[str, SourceAuthor] = {}
        self.tags: dict[str, Tag] = {}  # by lower-case name
        self.records: dict[str, ImportedItem] = {}  # the batch's posts imported before, by source id
        self.posts: dict[int, Post] = {}  # and what they became, by id
        self.slugs_taken: set[str] = set()  # the batch's own slugs that other posts have

    def batch(self, items: list) -> None:
        """A batch of the file's items: its new posts inserted together, the rest (pages, updates,
        skipped items, an item the file repeats) one by one; all one by one if the database
        refuses the new posts together, so each failure is reported with its own item."""
        self.look_up(items)
        new, seen = [], set()
        for item in items:
            if (
                isinstance(item, SourcePost)
                and not item.is_page  # a page may change the navigation: one at a time
                and item.source_id not in self.records
                and item.source_id not in seen
                and len(item.body) <= MAX_BODY_LENGTH
            ):
                new.append(item)
                seen.add(item.source_id)
        created = {id(item) for item in new} if self._create(new) else set()
        for item in items:
            if id(item) not in created:
                self.item(item)

    def look_up(self, batch: list) -> None:
        """Read what a batch of items needs from the database in three queries, not three per item."""
        items = [item for item in batch if isinstance(item, SourcePost)]
        records = ImportedItem.objects.filter(
            source=self.source, kind=ImportedItem.Kind.POST, source_id__in=[i.source_id for i in items]
        )
        self.records = {record.source_id: record for record in records}
        self.posts = Post.objects.in_bulk([record.object_id for record in self.records.values()])
        slugs = {slugify(item.slug)[:210] for item in items} - {""}
        self.slugs_taken = set(Post.objects.filter(slug__in=slugs).values_list("slug", flat=True))

    def _record(self, kind: str, source_id: str):
        return ImportedItem.objects.filter(source=self.source, kind=kind, source_id=source_id).first()

    def _remember(self, kind: str, source_id: str, object_id: int, print_: str = "") -> None:
        ImportedItem.objects.update_or_create(
            source=self.source,
            kind=kind,
            source_id=source_id,
            defaults={"object_id": object_id, "fingerprint": print_},
        )

    # AUTHORS
    def authors(self, authors: list[SourceAuthor]) -> None:
        """Know the export's authors; each becomes a user only once a post of theirs comes in."""
        self.known = {author.source_id: author for author in authors}

    def _author(self, author: SourceAuthor) -> User:
        """The user an author of the old blog becomes: matched by e-mail, else created without a password."""
        record = self._record(ImportedItem.Kind.AUTHOR, author.source_id)
        user = User.objects.filter(pk=record.object_id).first() if record else None
        label = author.display_name or author.username
        if user is None and author.email:
            user = User.objects.filter(email__iexact=author.email).order_by("pk").first()
            if user:
                self.report.add("unchanged", "author", label, f"matched to the existing user {user.username}")
        if user is None:
            user = User(
                username=self._free_username(author.username or slugify(label) or "author"),
                email=author.email,
                display_name=author.display_name[:100],
                bio=author.bio[:2000],
                role=Role.AUTHOR,
            )
            user.set_unusable_password()  # they sign in through the password reset e-mail
            user.save()
            self.report.add(
                "created", "author", label, f"user {user.username}, who signs in by resetting the password"
            )
        elif record:
            self.report.add("unchanged", "author", label)
        self._remember(ImportedItem.Kind.AUTHOR, author.source_id, user.pk)
        return user

    def _free_username(self, wanted: str) -> str:
        base = "".join(c for c in wanted if c.isalnum() or c in "@.+-_")[:140] or "author"
        candidate, n = base, 1
        while User.objects.filter(username__iexact=candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _user_for(self, author_id: str) -> User:
        if author_id not in self.users:  # the export may name an author on a post and not list them
            known = self.known.get(author_id) or SourceAuthor(source_id=author_id, username=author_id)
            self.users[author_id] = self._author(known)
        return self.users[author_id]

    # POSTS
    def item(self, item: SourcePost | SourceSkip) -> None:
        if isinstance(item, SourceSkip):
            self.report.add("skipped", "item", item.title or f"#{item.source_id}", item.reason)
            return
        lines_before = len(self.report.lines)
        known_before = item.source_id in self.records
        try:
            with transaction.atomic():
                outcome, detail = self._post(item)
        except (ValidationError, DatabaseError) as exc:
            self._forget_rolled_back(lines_before)
            if not known_before:
                self.records.pop(item.source_id, None)
            reason = (
                "; ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else f"the database refused it ({exc})"
            )
            self.report.comments_skipped += item.comment_count
            self.report.add("failed", "page" if item.is_page else "post", item.title, reason)
            return
        self._report_done(item, outcome, detail)

    def _report_done(self, item: SourcePost, outcome: str, detail: str) -> None:
        self.report.comments_skipped += item.comment_count
        notes = [detail, *item.notes]
        if item.comment_count:
            notes.append(f"{item.comment_count} comments skipped")
        self.report.add(
            outcome, "page" if item.is_page else "post", item.title, "; ".join(filter(None, notes))
        )

    def _forget_rolled_back(self, lines_before: int) -> None:
        """A rollback undid an item's writes: forget the report lines, users, tags and images it
        made, so later items neither mention nor point at rows that are gone."""
        self.report.lines = self.report.lines[:lines_before]
        for known, model in ((self.users, User), (self.tags, Tag), (self.taken, Image)):
            kept = set(
                model.objects.filter(pk__in=[row.pk for row in known.values() if row]).values_list(
                    "pk", flat=True
                )
            )
            for key in [key for key, row in known.items() if row and row.pk not in kept]:
                del known[key]

    def _create(self, items: list[SourcePost]) -> bool:
        """Insert these new posts together (``posts.services.create_posts``), with their import
        records and old links; False, having kept nothing, when the database refuses them."""
        if not items:
            return False
        lines_before, slugs_before = len(self.report.lines), set(self.slugs_taken)
        made = []
        try:
            with transaction.atomic():
                for item in items:
                    wanted, tags, image_notes = self._wanted(item)
                    post = Post(**wanted)
                    self._settle_slug(item, post)
                    if post.slug:
                        self.slugs_taken.add(post.slug)
                    made.append((item, post, tags, image_notes))
                create_posts([(post, tags) for _, post, tags, _ in made], note=f"Imported from {self.name}")
                records = ImportedItem.objects.bulk_create(
                    ImportedItem(
                        source=self.source,
                        kind=ImportedItem.Kind.POST,
                        source_id=item.source_id,
                        object_id=post.pk,
                        fingerprint=self._fingerprint(item),
                    )
                    for item, post, _, _ in made
                )
                links = {
                    link.old_path: link
                    for item, post, _, _ in made
                    for link in self._old_links_of(item, post)
                }
                self._keep_old_links(list(links.values()))
        except (ValidationError, DatabaseError):
            self._forget_rolled_back(lines_before)
            self.slugs_taken = slugs_before
            return False
        for (item, post, _, image_notes), record in zip(made, records, strict=True):
            self.records[item.source_id] = record
            self.posts[post.pk] = post  # the file may name the same item again
            self._report_done(item, "created", "; ".join(image_notes))
        return True

    def _fingerprint(self, item: SourcePost) -> str:
        """What the item was, and whether images came with it: a run with images redoes one without."""
        return fingerprint(asdict(item) | {"with_media": self.media.enabled})

    def _wanted(self, item: SourcePost) -> tuple[dict, list[Tag], list[str]]:
        """What the item's post should hold, its tags, and what went amiss with its images."""
        author = self._user_for(item.author_id)
        body, cover, image_notes = self._images(item, author)
        wanted = {
            "title": (item.title.strip() or "(untitled)")[:200],
            "body": body,
            "cover": cover,
            "excerpt": item.excerpt[:500],
            "status": item.status,
            "published_at": item.published_at,
            "author": author,
            "is_page": item.is_page,
        }
        return wanted, self._tags(item.tags), image_notes

    def _post(self, item: SourcePost) -> tuple[str, str]:
        if len(item.body) > MAX_BODY_LENGTH:
            raise ValidationError(
                f"its body has {len(item.body):,} characters; the most is {MAX_BODY_LENGTH:,}"
            )
        print_ = self._fingerprint(item)
        record = self.records.get(item.source_id)
        post = self.posts.get(record.object_id) if record else None
        if post is not None and record.fingerprint == print_:
            return "unchanged", ""
        wanted, tags, image_notes = self._wanted(item)
        author = wanted["author"]
        if post is None:
            post = Post(**wanted)
            self._settle_slug(item, post)
            post.save()
            self.slugs_taken.add(post.slug)
            post.tags.add(*tags)
            revision_record(post=post, by=author, note=f"Imported from {self.name}")
            self.records[item.source_id] = ImportedItem.objects.create(
                source=self.source,
                kind=ImportedItem.Kind.POST,
                source_id=item.source_id,
                object_id=post.pk,
                fingerprint=print_,
            )
            self.posts[post.pk] = post  # the file may name the same item again
            self._keep_old_links(self._old_links_of(item, post))
            return "created", "; ".join(image_notes)
        changed = [name for name, value in wanted.items() if getattr(post, name) != value]
        if {t.pk for t in tags} != set(post.tags.values_list("pk", flat=True)):
            changed.append("tags")
        for name, value in wanted.items():
            setattr(post, name, value)
        self._settle_slug(item, post)
        post.save()
        post.tags.set(tags)
        self._remember(ImportedItem.Kind.POST, item.source_id, post.pk, print_)
        self._keep_old_links(self._old_links_of(item, post))
        if not changed:
            return "unchanged", "; ".join(image_notes)
        revision_record(post=post, by=author, note=f"Updated from {self.name}")
        return "updated", "; ".join(["changed " + ", ".join(changed), *image_notes])

    # IMAGES
    def attachments(self, images: dict[str, SourceImage]) -> None:
        """Every image attachment of the export into the library, its attachment page leading to it."""
        self.images = images
        if not self.media.enabled:
            if images:
                self.report.add(
                    "skipped",
                    "image",
                    f"{len(images)} image attachments",
                    "give --media-dir or --fetch-media to bring them in",
                )
            return
        for source in images.values():
            notes: list[str] = []
            owner = self._user_for(source.author_id)
            image = self._image(source.url, owner=owner, alt=source.alt_text, notes=notes, path=source.path)
            for note in notes:
                self.report.add("skipped", "image", source.title or source.path, note)
            if image is not None:
                paths = {old_path(url) for url in source.old_urls} - {"/"}
                self._keep_old_links(
                    [OldLink(old_path=path, new_path=image.get_absolute_url()) for path in sorted(paths)]
                )

    def _images(self, item: SourcePost, author: User) -> tuple[str, "Image | None", list[str]]:
        """The body with its images' URLs pointing into the library, the cover image, and what went amiss."""
        body, notes = item.body, []
        if not self.media.enabled:
            return body, None, notes
        alts = {url: alt for alt, url in MARKDOWN_IMAGE.findall(body)}
        for url in item.image_urls:
            image = self._image(url, owner=author, alt=alts.get(url, ""), notes=notes)
            if image is not None:
                body = re.sub(r"\]\(" + re.escape(url) + r"(?=[\s)])", "](" + image.get_absolute_url(), body)
        cover = None
        if item.cover_image_id:
            source = self.images.get(item.cover_image_id)  # a WordPress attachment, or Ghost's URL itself
            url = source.url if source else item.cover_image_id
            cover = self._image(url, owner=author, alt=source.alt_text if source else "", notes=notes)
        return body, cover, notes

    def _image(self, url: str, *, owner: User, alt: str, notes: list[str], path: str = "") -> "Image | None":
        """The library image for an old image URL: taken in once (every size of it), then remembered."""
        file = self.media.find(url, path)
        key = f"file:{file.relative_to(self.media.media_dir)}" if file else url.split("?")[0]
        if key in self.taken:
            return self.taken[key]
        name = file.name if file else url.rsplit("/", 1)[-1]
        record = self._record(ImportedItem.Kind.IMAGE, key)
        image = Image.objects.filter(pk=record.object_id).first() if record else None
        if image is None and self.dry_run:
            if file is None and not self.media.fetch:
                notes.append(
                    f"image {name} stays at its old address: its file is not in {self.media.media_dir}"
                )
            else:
                self.report.add("created", "image", name, "would come into the media library")
            self.taken[key] = None
            return None
        if image is None:
            try:
                image = self.media.take(url, owner=owner, alt=alt, path=path)
            except ImageNotTaken as exc:
                notes.append(f"image {name} stays at its old address: {exc}")
                self.taken[key] = None
                return None
            self._remember(ImportedItem.Kind.IMAGE, key, image.pk)
            detail = (
                "" if alt.strip() else "it had no description: marked decorative, describe it in the library"
            )
            self.report.add("created", "image", name, detail)
        self.taken[key] = image
        return image

    @staticmethod
    def _old_links_of(item: SourcePost, post: Post) -> list[OldLink]:
        """Each old address of the item, to answer 301 to the post (once visitors may read it)."""
        new = post.get_absolute_url()
        paths = {old_path(url) for url in item.old_urls} - {"/", new}
        return [OldLink(old_path=path, post=post) for path in sorted(paths)]

    @staticmethod
    def _keep_old_links(links: list[OldLink]) -> None:
        OldLink.objects.bulk_create(
            links, update_conflicts=True, unique_fields=["old_path"], update_fields=["post", "new_path"]
        )

    def _tags(self, names: list[str]) -> list[Tag]:
        """The tags with these names, created when missing; remembered, as an import repeats them often."""
        wanted = list(dict.fromkeys(name.strip()[:50] for name in names if name.strip()))
        missing = [name for name in wanted if name.lower() not in self.tags]
        for tag in Tag.from_names(missing):
            self.tags[tag.name.lower()] = tag
        return [self.tags[name.lower()] for name in wanted if name.lower() in self.tags]

    def _settle_slug(self, item: SourcePost, post: Post) -> None:
        """A post that comes in public or scheduled keeps its old slug (its address); one that
        comes in hidden gets a provisional slug, as a draft written here does, and its address
        when it is published (docs/decisions/0021)."""
        if item.status == Post.Status.PUBLISHED and not post.slug_is_settled:
            post.slug = self._slug(item)

    def _slug(self, item: SourcePost) -> str:
        """The old slug when it is free here (so links keep their last part), else one made from the title."""
        slug = slugify(item.slug)[:210]
        reserved = reserved_slugs() if item.is_page else frozenset()  # a page lives at /<slug>/
        if slug and slug not in reserved and slug not in self.slugs_taken:
            return slug
        return unique_slug(Post, slug or item.title, reserved=reserved | self.slugs_taken)


# BLOGSITE'S OWN EXPORT
# ------------------------------------------------------------------------------
def import_export_file(reader, *, dry_run: bool = False, progress: Progress | None = None) -> Report:
    """Restore a Blogsite export: users (without passwords), tags, posts with their revisions and dates.

    Kept exactly as exported (slugs, times, revision numbers), so exporting again gives the same file.
    """
    scan = reader.scan()
    report = Report(source=f"Blogsite import of {reader.path.name}", dry_run=dry_run)
    with _kept_unless(dry_run):
        users = {}
        for record in scan.users:
            with transaction.atomic():
                users[record["username"]] = _restore_user(record, report)
        for record in scan.tags:
            if not Tag.objects.filter(slug=record["slug"]).exists():
                Tag.objects.create(name=record["name"], slug=record["slug"])
        images = {}  # by the file name in the export
        for record in scan.media:
            with transaction.atomic():
                images[record["file"]] = _restore_image(record, reader, users, report, dry_run=dry_run)
        for done, record in enumerate(reader.posts(), start=1):
            _restore_post_reported(record, users, images, report)
            if progress:
                progress(done, scan.item_count)
    return report


def _restore_user(record: dict, report: Report) -> User:
    user = User.objects.filter(username=record["username"]).first()
    if user is None and record["email"]:
        user = User.objects.filter(email__iexact=record["email"]).order_by("pk").first()
    if user is not None:
        report.add("unchanged", "author", record["username"], f"matched to the existing user {user.username}")
        return user
    user = User(
        username=record["username"],
        email=record["email"],
        display_name=record["display_name"],
        bio=record["bio"],
        role=record["role"],
        is_active=record["is_active"],
        date_joined=_parse(record["date_joined"]),
    )
    user.set_unusable_password()
    user.save()
    report.add("created", "author", user.username, "signs in by resetting the password")
    return user


def _parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _restore_image(record: dict, reader, users: dict, report: Report, *, dry_run: bool) -> "Image | None":
    """A library image from an archive made --with-media (through the library's own upload checks)."""
    name = record["original_name"] or record["file"]
    image = Image.objects.filter(file=record["file"]).first()  # this very site, or an earlier run
    if image is not None:
        report.add("unchanged", "image", name)
        return image
    try:
        file = reader.image_file(record["file"])
    except ImageFileRefused as exc:
        report.add("failed", "image", name, str(exc))
        return None
    if file is None:
        report.add("skipped", "image", name, "its file is not in this export (export it --with-media)")
        return None
    with file:
        if dry_run:
            report.add("created", "image", name, "would come into the media library")
            return None
        owner = users.get(record["owner"]) or User.objects.filter(username=record["owner"]).first()
        try:
            image = Image.objects.create_from_upload(
                File(file, name=name), owner, alt=record["alt"], decorative=record["decorative"]
            )
        except (Refused, ValidationError) as exc:
            report.add("failed", "image", name, getattr(exc, "message", None) or "; ".join(exc.messages))
            return None
    report.add("created", "image", name)
    return image


def _restore_post_reported(record: dict, users: dict, images: dict, report: Report) -> None:
    title = str(record.get("title") or record.get("slug") or "?")
    try:
        with transaction.atomic():
            outcome = _restore_post(record, users, images)
    except ValidationError as exc:
        report.add("failed", "post", title, "; ".join(exc.messages))
    except (KeyError, TypeError, ValueError) as exc:
        report.add("failed", "post", title, f"its record is malformed ({exc!r})")
    except DatabaseError as exc:
        report.add("failed", "post", title, f"the database refused it ({exc})")
    else:
        report.add(outcome, "post", title)


def _restore_post(record: dict, users: dict, images: dict) -> str:
    print_ = fingerprint(record)
    imported = ImportedItem.objects.filter(
        source="blogsite", kind=ImportedItem.Kind.POST, source_id=record["slug"]
    )
    if imported.filter(fingerprint=print_).exists() and Post.objects.filter(slug=record["slug"]).exists():
        return "unchanged"
    author = users.get(record["author"]) or User.objects.filter(username=record["author"]).first()
    if author is None:
        raise ValidationError(f"its author {record['author']!r} is not among the export's users")
    if len(record["body"]) > MAX_BODY_LENGTH:
        raise ValidationError(
            f"its body has {len(record['body']):,} characters; the most is {MAX_BODY_LENGTH:,}"
        )
    post = Post.objects.filter(slug=record["slug"]).first()
    outcome = "updated" if post else "created"
    post = post or Post(slug=record["slug"])
    body = record["body"]
    for old, image in images.items():  # an image restored under a new name: its posts follow it
        if image is not None and image.file.name != old:
            body = body.replace(settings.MEDIA_URL + old, image.get_absolute_url())
    post.cover = (
        images.get(record.get("cover")) or Image.objects.filter(file=record.get("cover") or "").first()
    )
    post.title, post.body, post.excerpt = record["title"][:200], body, record["excerpt"][:500]
    post.status, post.published_at, post.author = record["status"], _parse(record["published_at"]), author
    if post.status not in Post.Status.values:
        raise ValidationError(f"its status {post.status!r} is not draft, review or published")
    post.save()
    # save() gives an unpublished post a slug from its title and stamps the times: put back the exported ones.
    Post.objects.filter(pk=post.pk).update(
        slug=record["slug"], created_at=_parse(record["created_at"]), updated_at=_parse(record["updated_at"])
    )
    post.tags.set(Tag.objects.filter(slug__in=record["tags"]))
    post.revisions.all().delete()
    usernames = {r["created_by"] for r in record["revisions"]} - {None}
    by_name = {u.username: u for u in User.objects.filter(username__in=usernames)}
    Revision.objects.bulk_create(
        Revision(
            post=post,
            number=r["number"],
            title=r["title"],
            body=r["body"],
            excerpt=r["excerpt"],
            tags=r["tags"],
            created_by=by_name.get(r["created_by"]),
            created_at=_parse(r["created_at"]),
            note=r["note"],
            is_autosave=r["is_autosave"],
        )
        for r in record["revisions"]
    )
    ImportedItem.objects.update_or_create(
        source="blogsite",
        kind=ImportedItem.Kind.POST,
        source_id=record["slug"],
        defaults={"object_id": post.pk, "fingerprint": print_},
    )
    return outcome
