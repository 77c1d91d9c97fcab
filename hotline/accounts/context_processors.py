from hotline.accounts.roles import Role, user_roles


def roles(request):
    held = user_roles(request.user)
    return {"user_roles": [role for role in Role if role in held]}
