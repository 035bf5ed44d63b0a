from guanxi.staff.urls.account import urlpatterns as account_urlpatterns
from guanxi.staff.urls.directory import urlpatterns as directory_urlpatterns

app_name = "staff"
urlpatterns = [*account_urlpatterns, *directory_urlpatterns]
