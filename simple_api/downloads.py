def file_download(request, **kw):
    raise NotImplementedError
