# careerguide in a container, for macOS, Windows or another Linux: the same two
# commands as on Debian, run inside Debian (see the README, "Other systems").
#
#   docker build -t careerguide .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" careerguide build --company acme
#   docker run --rm -w /careerguide --entrypoint make careerguide test
FROM debian:bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /careerguide
COPY . .
# `make build` installs the system packages (fonts, HarfBuzz, Pango) and .venv, and builds the default guide.
RUN make build && rm -rf build && chmod -R a+rX /careerguide
ENV PATH=/careerguide/.venv/bin:$PATH HOME=/tmp

# Your project (companies/, rosters, build/) is mounted here.
WORKDIR /work
ENTRYPOINT ["careerguide"]
CMD ["--help"]
