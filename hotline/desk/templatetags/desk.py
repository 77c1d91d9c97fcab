from django import template

from hotline.desk.wording import km, moment

register = template.Library()
register.filter("km", km)
register.filter("moment", moment)
