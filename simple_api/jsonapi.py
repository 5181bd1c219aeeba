def project_json(request, **kw):
    raise NotImplementedError


release_json = project_json
