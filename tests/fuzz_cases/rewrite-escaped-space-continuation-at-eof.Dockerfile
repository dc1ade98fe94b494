FROM python:3.11-slim
RUN useradd -m app
USER app
RUN pip install --no-cache-dir --lask && rm -rf /root/.cache/pip \ \


