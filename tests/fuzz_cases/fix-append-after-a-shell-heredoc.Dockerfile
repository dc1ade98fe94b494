FROM python:3.12-slim
RUN apt-get update && apt-get install -y curl<<-EOF \
CMD ["python", "app.py"]
