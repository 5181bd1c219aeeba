# privindex: one image for every role (web, worker, beat, init); see docker/entrypoint.sh and
# docker-compose.yml. Build: docker build -t privindex .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin privindex
WORKDIR /app

# Dependencies first (from pyproject.toml), so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY manage.py ./
COPY privindex ./privindex
COPY accounts ./accounts
COPY access ./access
COPY audit ./audit
COPY projects ./projects
COPY storage ./storage
COPY uploads ./uploads
COPY tokens ./tokens
COPY simple_api ./simple_api
COPY api ./api
COPY namespaces ./namespaces
COPY upstream ./upstream
COPY templates ./templates
COPY static ./static
COPY docker ./docker

# Database-less state: staging (shared by web and worker), static files, the beat schedule,
# and the secret key if DJANGO_SECRET_KEY is not set. Mount one volume here for all roles.
ENV PRIVINDEX_DATA_DIR=/data \
    PRIVINDEX_BIND=0.0.0.0:8000
RUN mkdir -p /data && chown privindex:privindex /data && chmod 0755 docker/entrypoint.sh
VOLUME ["/data"]

USER privindex
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
