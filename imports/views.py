"""Admins bring a blog in and take this one out from the dashboard; the worker does the work."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from .forms import ImportForm
from .models import Run
from .tasks import run_export, run_import


def admins_only(view):
    """Signed-in admins only; to anyone else these pages do not exist."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@admins_only
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = Run.objects.create(
            kind=data["kind"],
            file=data["file"],
            media=data["media"],
            dry_run=data["dry_run"],
            started_by=request.user,
        )
        run_import.enqueue(run_id=run.pk)
        return redirect(run)
    runs = Run.objects.exclude(kind=Run.Kind.EXPORT)[:10]
    return render(request, "imports/import.html", {"form": form, "runs": runs})


@admins_only
def export_page(request):
    if request.method == "POST":
        run = Run.objects.create(kind=Run.Kind.EXPORT, started_by=request.user)
        run_export.enqueue(run_id=run.pk)
        return redirect(run)
    return render(request, "imports/export.html", {"runs": Run.objects.filter(kind=Run.Kind.EXPORT)[:10]})


@admins_only
def run_detail(request, run_id):
    return render(request, "imports/run_detail.html", {"run": get_object_or_404(Run, pk=run_id)})


@admins_only
def export_download(request, run_id):
    run = get_object_or_404(Run, pk=run_id, kind=Run.Kind.EXPORT, state=Run.State.DONE)
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.file.name.rsplit("/", 1)[-1])
