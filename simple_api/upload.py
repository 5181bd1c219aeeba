def upload(request):
    raise NotImplementedError


missing_slash = upload
