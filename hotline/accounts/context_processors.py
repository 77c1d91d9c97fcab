from hotline.accounts.roles import Role, user_roles


def roles(request):
    # An error page for a request refused before AuthenticationMiddleware (a bad Host
    # header is a 400) has no user: it is drawn as for an anonymous visitor.
    user = getattr(request, "user", None)
    if user is None:
        return {"user_roles": []}
    held = user_roles(user)
    return {"user_roles": [role for role in Role if role in held]}
