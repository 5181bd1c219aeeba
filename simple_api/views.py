def index(request):
    raise NotImplementedError


detail = index
