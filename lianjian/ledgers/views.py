"""Ledger pages for community staff: templates, exports, upload → preview → confirm."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.core.jobs import job_start

from .forms import LedgerBatchForm, LedgerForm, LedgerUploadForm
from .kinds import SPECS
from .selectors import ledger_communities, ledger_export, ledger_template
from .services import ImportReport, LedgerFileError, ledger_import
from .uploads import (
    error_report_load,
    error_report_store,
    upload_discard,
    upload_load,
    upload_open,
    upload_store,
)
from .workbook import build_error_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 200
PREVIEW_ERRORS = 500  # errors rendered on the page; the downloadable report has all of them


def _staff_only(request: HttpRequest) -> None:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied


def _xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _index(request: HttpRequest, upload_form: LedgerUploadForm, status: int = 200) -> HttpResponse:
    communities = list(ledger_communities(user=request.user)[:2])
    return render(request, "ledgers/index.html", {
        "export_form": LedgerForm(user=request.user, auto_id="export_%s"),
        "batch_form": LedgerBatchForm(user=request.user, auto_id="batch_%s"),
        "upload_form": upload_form,
        "specs": list(SPECS.values()),
        # Staff of one community get templates whose drop-downs list its joint units.
        "template_community": communities[0] if len(communities) == 1 else None,
    }, status=status)


@login_required
def ledger_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    return _index(request, LedgerUploadForm(user=request.user))


@login_required
def ledger_template_download(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    _staff_only(request)
    if kind not in SPECS:
        raise Http404
    community, raw = None, request.GET.get("community", "")
    if raw:
        community = ledger_communities(user=request.user).filter(pk=raw).first() if raw.isdigit() else None
        if community is None:
            raise Http404
    name = _("%(kind)s导入模板.xlsx") % {"kind": SPECS[kind].display_label}
    return _xlsx_response(ledger_template(kind=kind, community=community), name)


@login_required
def ledger_export_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    form = LedgerForm(request.GET, user=request.user)
    if not form.is_valid():
        raise Http404
    kind, community = form.cleaned_data["kind"], form.cleaned_data["community"]
    workbook = ledger_export(user=request.user, kind=kind, community=community)
    name = f"{community.name}-{SPECS[kind].label}-{timezone.localdate():%Y%m%d}.xlsx"
    return _xlsx_response(workbook, name)


@login_required
@require_POST
def ledger_export_batch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every community of a street or district: a background job; its page shows the progress."""
    _staff_only(request)
    form = LedgerBatchForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("请选择台账类型和您管理的街道或区。"))
        return redirect("ledgers:index")
    kind, region = form.cleaned_data["kind"], form.cleaned_data["region"]
    job = job_start(actor=request.user, kind="ledgers.export", params={"kind": kind, "region": region.pk},
                    title=_("导出%(region)s全部社区的%(kind)s") % {"region": region.name, "kind": SPECS[kind].label})
    return redirect(job)


def _preview(request: AuthenticatedHttpRequest, report: ImportReport, token: str) -> HttpResponse:
    errors_token = ""
    if report.errors:
        content = build_error_report(report.errors, summary=report.summary())
        errors_token = error_report_store(content=content, user_id=request.user.pk, filename=report.filename)
    return render(request, "ledgers/preview.html", {
        "report": report, "token": token, "plans": report.plans[:PREVIEW_ROWS],
        "more_plans": max(len(report.plans) - PREVIEW_ROWS, 0),
        "errors": report.errors[:PREVIEW_ERRORS], "more_errors": max(len(report.errors) - PREVIEW_ERRORS, 0),
        "errors_token": errors_token,
    })


@login_required
@require_POST
def ledger_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Store the upload, validate every row (nothing written) and show the preview."""
    _staff_only(request)
    form = LedgerUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _index(request, form, status=400)
    kind, community, file = (form.cleaned_data[k] for k in ("kind", "community", "file"))
    token, pending = upload_store(file=file, kind=kind, community_id=community.pk, user_id=request.user.pk)
    try:
        with upload_open(pending) as handle:
            report = ledger_import(actor=request.user, kind=kind, community=community, file=handle,
                                   dry_run=True, filename=file.name)
    except LedgerFileError as exc:
        upload_discard(pending)
        form.add_error("file", str(exc))
        return _index(request, form, status=400)
    if not report.ok:
        upload_discard(pending)
        token = ""
    return _preview(request, report, token)


@login_required
@require_POST
def ledger_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Re-validate the stored upload and write it, all rows or none."""
    _staff_only(request)
    pending = upload_load(request.POST.get("token", ""))
    if pending is None or pending.user_id != request.user.pk:
        messages.error(request, _("导入已过期或无效，请重新上传文件。"))
        return redirect("ledgers:index")
    community = ledger_communities(user=request.user).filter(pk=pending.community_id).first()
    if community is None:
        raise PermissionDenied
    try:
        with upload_open(pending) as handle:
            report = ledger_import(actor=request.user, kind=pending.kind, community=community, file=handle,
                                   filename=pending.filename)
    except LedgerFileError as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:index")
    if not report.ok:
        # The data changed since the preview (e.g. someone added the same need); show why. The
        # upload cannot be confirmed any more, so it goes.
        upload_discard(pending)
        return _preview(request, report, "")
    upload_discard(pending)
    messages.success(request, report.summary())
    return redirect("ledgers:index")


@login_required
def ledger_error_report(request: AuthenticatedHttpRequest) -> FileResponse:
    """Download every row error of a rejected upload (the page shows at most PREVIEW_ERRORS)."""
    _staff_only(request)
    found = error_report_load(request.GET.get("token", ""), user_id=request.user.pk)
    if found is None:
        raise Http404
    path, filename = found
    stem = filename.rsplit(".", 1)[0] if filename else _("导入")
    name = _("%(name)s-错误报告.xlsx") % {"name": stem}
    return FileResponse(default_storage.open(path, "rb"), as_attachment=True, filename=name, content_type=XLSX)
