from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from hotline.accounts.roles import Role, role_required
from hotline.guide.forms import GuideSearchForm
from hotline.guide.models import Article
from hotline.http import HtmxHttpRequest


@require_GET
@role_required(Role.OPERATOR, Role.EDITOR)
def guide_home(request: HtmxHttpRequest) -> HttpResponse:
    """The guidance library, searchable. What was searched is neither stored nor logged."""
    form = GuideSearchForm(request.GET)
    articles, status = [], 200
    if form.is_valid():
        found = Article.objects.published().prefetch_related("topics", "audiences")
        data = form.cleaned_data
        if data["q"]:
            found = found.matching(data["q"])
        if data["topic"]:
            found = found.for_topics([data["topic"]])
        if data["audience"]:
            found = found.for_audiences([data["audience"].code])
        articles = sorted(found, key=lambda article: article.title.casefold())
    else:
        status = 400
    context = {"form": form, "articles": articles}
    if not request.htmx:
        return render(request, "guide/home.html", context, status=status)
    response = render(request, "guide/home.html#results", context, status=status)
    if status != 200:
        push_url(response, False)
    return response


@require_GET
@role_required(Role.OPERATOR, Role.EDITOR)
def guide_article(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published().prefetch_related("topics", "audiences"), pk=pk
    )
    return render(request, "guide/article.html", {"article": article})


@require_POST
@role_required(Role.EDITOR)
def mark_reviewed(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "Reviewed today" on the editors' dashboard, as for a service."""
    article = get_object_or_404(Article, pk=pk)
    due = article.mark_reviewed()
    messages.success(
        request,
        _("“%(title)s” marked as reviewed today. Next review: %(date)s.")
        % {"title": article.title, "date": due.strftime("%d.%m.%Y")},
    )
    return redirect("directory:dashboard")
