# Production image: gunicorn serving portal.wsgi, static files through whitenoise.
# Stage 1 builds the GOV.UK Frontend assets with the councils' brand.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY portal/static/portal/scss portal/static/portal/scss
RUN mkdir -p build/static/portal/css build/static/govuk build/static/twilio \
    && npx sass --no-source-map --quiet-deps --style=compressed --load-path=node_modules \
       portal/static/portal/scss/portal.scss build/static/portal/css/portal.css \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/static/govuk/ \
    && cp -r node_modules/govuk-frontend/dist/govuk/assets/images build/static/govuk/ \
    && cp node_modules/@twilio/voice-sdk/dist/twilio.min.js build/static/twilio/

# Stage 2: the application.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal portal
COPY desk desk
COPY services services
COPY channels channels
COPY search search
COPY reports reports
COPY locale locale
COPY manage.py ./
RUN pip install --no-cache-dir .
COPY --from=assets /build/build build
# collectstatic and compilemessages need settings but no secrets or database. Either failing
# fails the build: an image without its styles or translations must not ship.
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only-x \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input -v 0 \
    && python manage.py compilemessages -v 0
USER portal
EXPOSE 8000
# Worker processes rather than threads: requests are CPU-bound Python, and on 2 cores four
# single-threaded workers served the SMS webhook a quarter faster than 2 x 4 threads
# (bench/sms_intake.py, README "Performance"). Size for the host with GUNICORN_CMD_ARGS
# (e.g. "--workers 8" on 4 cores): options given on the command line below would override it,
# so workers and threads are not given there.
ENV GUNICORN_CMD_ARGS="--workers 4 --threads 1 --worker-class gthread --keep-alive 5"
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "30", "--access-logfile", "-"]
