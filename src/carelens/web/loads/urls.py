
app_name = "loads"
urlpatterns: list = []
