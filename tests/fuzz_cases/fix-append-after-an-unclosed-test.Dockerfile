FROM python:3.11-bullseye
RUN apt-get update && apt-get install -y curl && [[ \
["all"]
