# The system in a container: dependencies cached in their own layer, running as the image's
# unprivileged `deno` user.
FROM denoland/deno:2.9.6

WORKDIR /app
RUN chown deno:deno /app
USER deno

# Dependencies first, so code changes do not refetch them.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
RUN deno cache pipelines/*.ts && mkdir -p /app/data /app/models

ENV DATA_DIR=/app/data MODELS_DIR=/app/models
VOLUME ["/app/data", "/app/models"]
EXPOSE 8000
CMD ["task", "start"]
